// IDX reader: raw or gzip bytes in; a bounded array or one DataError out, never a huge allocation.
#include "dltrain/data/idx_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dltrain::fuzz::InputFile file("idx", data, size);
  dltrain::fuzz::expect_only_dltrain_errors([&] { dltrain::data::read_idx_file(file.path()); });
  return 0;
}
