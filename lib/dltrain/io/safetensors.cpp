// Written by hand (a JSON header and raw bytes): no dependency beyond nlohmann::json. The header
// is padded with spaces to a multiple of 8 bytes, as the reference writer does, so every
// tensor's data starts aligned.
#include "dltrain/io/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"

namespace dltrain::io {
namespace {

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};

const DtypeName kDtypes[] = {{torch::kFloat64, "F64"}, {torch::kFloat32, "F32"}, {torch::kFloat16, "F16"},
                             {torch::kBFloat16, "BF16"}, {torch::kInt64, "I64"},  {torch::kInt32, "I32"},
                             {torch::kInt16, "I16"},     {torch::kInt8, "I8"},    {torch::kUInt8, "U8"},
                             {torch::kBool, "BOOL"}};

const char* dtype_name(torch::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return d.name;
  throw DataError(std::string("safetensors: cannot store tensors of type ") + c10::toString(type));
}

uint64_t read_le64(const unsigned char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

void write_le64(std::ostream& out, uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out.write(bytes, 8);
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> data;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || !names.insert(name).second) {
      throw DataError("safetensors '" + path + "': duplicate or reserved tensor name \"" + name + "\"");
    }
    auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(cpu.numel()) * cpu.element_size();
    header[name] = {{"dtype", dtype_name(cpu.scalar_type())},
                    {"shape", cpu.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(cpu);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  replace_file_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary);
    write_le64(out, text.size());
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& tensor : data)
      out.write(static_cast<const char*>(tensor.data_ptr()), static_cast<std::streamsize>(tensor.nbytes()));
    if (!out.flush()) throw DataError("cannot write safetensors file '" + path + "'");
  });
}

SafetensorsContents read_safetensors(const std::string& path) {
  auto fail = [&path](const std::string& what) { return DataError("safetensors '" + path + "': " + what); };
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("cannot open the file");
  const uint64_t file_size = std::filesystem::file_size(path);
  unsigned char length_bytes[8];
  if (file_size < 8 || !in.read(reinterpret_cast<char*>(length_bytes), 8)) throw fail("shorter than its 8-byte header length");
  const uint64_t header_size = read_le64(length_bytes);
  if (header_size > file_size - 8) {
    throw fail("header length " + std::to_string(header_size) + " exceeds the file's " + std::to_string(file_size) +
               " bytes");
  }
  std::string text(header_size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_size));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw fail("the header is not valid JSON");
  }
  if (!header.is_object()) throw fail("the header is not a JSON object");

  SafetensorsContents contents;
  struct Entry {
    std::string name;
    torch::ScalarType type;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) throw fail("__metadata__." + key + " is not a string");
        contents.metadata[key] = item.get<std::string>();
      }
      continue;
    }
    try {
      Entry entry{name, torch::kFloat32, value.at("shape").get<std::vector<int64_t>>(), 0, 0};
      const auto dtype = value.at("dtype").get<std::string>();
      bool known = false;
      for (const auto& d : kDtypes)
        if (dtype == d.name) entry.type = d.type, known = true;
      if (!known) throw fail(name + ": unsupported dtype \"" + dtype + "\"");
      const auto offsets = value.at("data_offsets").get<std::vector<uint64_t>>();
      if (offsets.size() != 2 || offsets[1] < offsets[0]) throw fail(name + ": data_offsets must be [begin, end]");
      entry.begin = offsets[0];
      entry.end = offsets[1];
      uint64_t numel = 1;
      for (auto dim : entry.shape) {
        if (dim < 0) throw fail(name + ": negative dimension in shape");
        numel *= static_cast<uint64_t>(dim);
      }
      if (numel * c10::elementSize(entry.type) != entry.end - entry.begin) {
        throw fail(name + ": shape and dtype need " + std::to_string(numel * c10::elementSize(entry.type)) +
                   " bytes, data_offsets give " + std::to_string(entry.end - entry.begin));
      }
      entries.push_back(std::move(entry));
    } catch (const nlohmann::json::exception&) {
      throw fail(name + ": expected {dtype, shape, data_offsets}");
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  const uint64_t data_size = file_size - 8 - header_size;
  uint64_t expected = 0;
  for (const auto& entry : entries) {
    if (entry.begin != expected) throw fail(entry.name + ": data_offsets leave a gap or overlap another tensor");
    expected = entry.end;
  }
  if (expected != data_size) {
    throw fail("the tensors cover " + std::to_string(expected) + " data bytes, the file holds " +
               std::to_string(data_size));
  }
  for (const auto& entry : entries) {
    auto tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.type));
    if (!in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(entry.end - entry.begin))) {
      throw fail(entry.name + ": data truncated");
    }
    contents.tensors.emplace_back(entry.name, tensor);
  }
  return contents;
}

}  // namespace dltrain::io
