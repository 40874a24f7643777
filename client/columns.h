#pragma once
// Columns a list verb shows, chosen with -o/--output as lsblk and losetup choose theirs:
// "-o NAME,STATE" (any case, comma-separated). Unknown names are a usage error.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exit_status.h"

namespace mapperctl {

template <typename Row>
struct Column {
  std::string_view name;  // the header, and what -o calls it: "BACK-FILE"
  std::function<std::string(const Row&)> cell;
};

// The names in "-o" text, upper-cased; `fallback` when there is no -o.
std::vector<std::string> column_names(const std::optional<std::string>& spec,
                                      const std::vector<std::string>& fallback);

// Throws CommandError(Usage) naming `name` and the columns there are.
[[noreturn]] void throw_unknown_column(const std::string& name,
                                       const std::vector<std::string_view>& known);

// The columns `names` picks from `columns`, in the order named.
template <typename Row>
std::vector<const Column<Row>*> pick_columns(const std::vector<Column<Row>>& columns,
                                             const std::vector<std::string>& names) {
  std::vector<const Column<Row>*> picked;
  for (const std::string& name : names) {
    const Column<Row>* found = nullptr;
    for (const Column<Row>& column : columns) {
      if (column.name == name)
        found = &column;
    }
    if (found == nullptr) {
      std::vector<std::string_view> known;
      for (const Column<Row>& column : columns)
        known.push_back(column.name);
      throw_unknown_column(name, known);
    }
    picked.push_back(found);
  }
  return picked;
}

// The cells of `rows` in the picked columns, after a header row unless `legend` is false.
template <typename Row>
std::vector<std::vector<std::string>> column_rows(const std::vector<const Column<Row>*>& picked,
                                                  const std::vector<Row>& rows, bool legend) {
  std::vector<std::vector<std::string>> cells;
  if (legend) {
    std::vector<std::string>& header = cells.emplace_back();
    for (const Column<Row>* column : picked)
      header.emplace_back(column->name);
  }
  for (const Row& row : rows) {
    std::vector<std::string>& line = cells.emplace_back();
    for (const Column<Row>* column : picked)
      line.push_back(column->cell(row));
  }
  return cells;
}

}  // namespace mapperctl
