// Parses the whole file at once: datasets here fit in memory anyway, and it keeps quoting simple.
#include "dltrain/data/csv_table.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "dltrain/core/error.h"

namespace dltrain::data {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

}  // namespace

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

size_t CsvTable::column(const std::string& name, const std::string& key) const {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return c;
  std::string columns;
  for (const auto& h : header) columns += (columns.empty() ? "" : ", ") + h;
  throw DataError(fmt::format("{}: {}: no column named '{}'; the header has {}", path, key, name, columns));
}

double CsvTable::number(size_t row, size_t column) const {
  const std::string& text = rows[row][column];
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) {
    throw DataError(fmt::format("{}:{}: column '{}': expected a number, got \"{}\"", path, lines[row], header[column], text));
  }
  return value;
}

CsvTable read_csv_table(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("'{}': cannot open the CSV file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  CsvTable table;
  table.path = path;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, cell_was_quoted = false, row_has_content = false;
  int64_t line = 1, row_line = 1;
  auto end_cell = [&] {
    row.push_back(cell_was_quoted ? cell : trim(cell));
    cell.clear();
    cell_was_quoted = false;
  };
  auto end_row = [&] {
    end_cell();
    if (row_has_content) {
      if (table.header.empty()) {
        table.header = row;
      } else if (row.size() != table.header.size()) {
        throw DataError(fmt::format("{}:{}: expected {} cells (as the header), got {}", path, row_line,
                                    table.header.size(), row.size()));
      } else {
        table.rows.push_back(row);
        table.lines.push_back(row_line);
      }
    }
    row.clear();
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        if (ch == '\n') ++line;
        cell += ch;
      }
      continue;
    }
    if (ch == '"' && trim(cell).empty()) {
      quoted = cell_was_quoted = row_has_content = true;
      cell.clear();
    } else if (ch == ',') {
      row_has_content = true;
      end_cell();
    } else if (ch == '\n') {
      end_row();
      row_line = ++line;
    } else if (ch != '\r') {
      if (ch != ' ' && ch != '\t') row_has_content = true;
      cell += ch;
    }
  }
  if (quoted) throw DataError(fmt::format("{}:{}: unterminated quoted cell", path, row_line));
  end_row();
  if (table.header.empty()) throw DataError(fmt::format("'{}': the CSV file is empty (expected a header row)", path));
  return table;
}

}  // namespace dltrain::data
