// A small CSV reader (RFC 4180 quoting, header row) that keeps line numbers for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dltrain::data {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  std::vector<int64_t> lines;                  // the file line each row starts on (1-based)

  // Index of the column named `name`; throws DataError naming the file and the columns it has.
  size_t column(const std::string& name, const std::string& key) const;

  // The cell as a finite number, NaN when it is empty; anything else is a DataError naming the
  // file, line and column.
  double number(size_t row, size_t column) const;
};

// `text` as one CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break.
std::string csv_cell(const std::string& text);

// Reads `path`; blank lines are skipped. Throws DataError ("file:line: ...") for an unreadable
// file, a missing header, an unterminated quote or a row with the wrong number of cells.
CsvTable read_csv_table(const std::string& path);

}  // namespace dltrain::data
