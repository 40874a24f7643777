#pragma once
// Internal to the model: where the table parser's pieces report what they find.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "table_parser.h"

namespace mapperd {

// The problems of one table line, added to the list for the whole table.
class LineProblems {
 public:
  LineProblems(std::uint32_t line, std::vector<TableProblem>& all)
      : line_(line), all_(all), count_before_(all.size()) {}

  void add(std::string field, std::string reason) {
    all_.push_back(TableProblem{line_, std::move(field), std::move(reason)});
  }
  void add_missing_device(std::string field, std::string reason) {
    all_.push_back(TableProblem{line_, std::move(field), std::move(reason), true});
  }
  // How many problems this line has had so far.
  std::size_t count() const { return all_.size() - count_before_; }

 private:
  std::uint32_t line_;
  std::vector<TableProblem>& all_;
  std::size_t count_before_;
};

}  // namespace mapperd
