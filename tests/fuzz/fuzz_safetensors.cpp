// safetensors reader (model.pretrained, export round trips): header length, JSON header, dtypes,
// shapes and offsets are all checked against the file, so any bytes end in tensors or one
// DataError; a lying header length or offset never allocates what it claims.
#include "dltrain/io/safetensors.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dltrain::fuzz::InputFile file("weights.safetensors", data, size);
  dltrain::fuzz::expect_only_dltrain_errors([&] { dltrain::io::read_safetensors(file.path()); });
  return 0;
}
