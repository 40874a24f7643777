#pragma once
// Helpers shared by the model's tests: a block device table in memory, and short ways to say
// "these are the problems" and "this is what was thrown".

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/block_devices.h"
#include "model/error.h"
#include "model/table.h"
#include "model/table_parser.h"

namespace mapperd {

// Lets gtest print tables and error kinds readably when an assertion fails.
inline void PrintTo(const Table& table, std::ostream* out) {
  *out << "\n" << format_table(table);
}
inline std::ostream& operator<<(std::ostream& out, ErrorKind kind) {
  return out << error_kind_name(kind);
}

// Block devices as a test declares them: paths and numbers that resolve, and their sizes.
class FakeBlockDevices : public BlockDevices {
 public:
  FakeBlockDevices& add(std::string path, DeviceNumber number, std::optional<Sectors> size) {
    paths_[std::move(path)] = number;
    if (size)
      sizes_[number] = *size;
    known_numbers_.push_back(number);
    return *this;
  }

  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override {
    if (ref.is_number()) {
      for (DeviceNumber known : known_numbers_) {
        if (known == ref.number())
          return known;
      }
      return std::nullopt;
    }
    const auto found = paths_.find(ref.text());
    if (found == paths_.end())
      return std::nullopt;
    return found->second;
  }

  std::optional<Sectors> size_of(DeviceNumber device) const override {
    const auto found = sizes_.find(device);
    if (found == sizes_.end())
      return std::nullopt;
    return found->second;
  }

 private:
  std::map<std::string, DeviceNumber> paths_;
  std::map<DeviceNumber, Sectors> sizes_;
  std::vector<DeviceNumber> known_numbers_;
};

// Every problem check_table() finds, as the messages a user would read.
inline std::vector<std::string> problems_in(std::string_view text,
                                            const TableContext& context = {}) {
  std::vector<std::string> messages;
  for (const TableProblem& problem : check_table(text, context)) {
    messages.push_back(problem.to_string());
  }
  return messages;
}

// What an Error says, compared as one value.
struct Thrown {
  ErrorKind kind = ErrorKind::Failed;
  std::string message;
  friend bool operator==(const Thrown&, const Thrown&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Thrown& thrown) {
    return out << thrown.kind << ": " << thrown.message;
  }
};

// The Error `action` throws; a test failure when it throws none.
template <class Action>
Thrown thrown_by(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return Thrown{error.kind(), error.what()};
  }
  ADD_FAILURE() << "expected a mapperd::Error, but nothing was thrown";
  return Thrown{ErrorKind::Failed, "<nothing thrown>"};
}

}  // namespace mapperd
