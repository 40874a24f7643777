#include "loop_output.h"

#include <algorithm>

namespace mapperctl {
namespace {

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

}  // namespace

std::string format_columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
  }
  return text;
}

std::string format_loops(const std::vector<LoopInfo>& loops) {
  if (loops.empty())
    return "No loop devices attached by mapperd\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "OFFSET", "SIZELIMIT", "RO", "PERSISTENT", "BACK-FILE"}};
  for (const LoopInfo& loop : loops) {
    rows.push_back({loop.device_path, std::to_string(loop.offset), std::to_string(loop.size_limit),
                    yes_no(loop.read_only), yes_no(loop.persistent), loop.backing_file});
  }
  return format_columns(rows);
}

Json loop_json(const LoopInfo& loop) {
  return Json::object({
      {"device_path", loop.device_path},
      {"index", loop.index},
      {"major", loop.major},
      {"minor", loop.minor},
      {"backing_file", loop.backing_file},
      {"offset", loop.offset},
      {"size_limit", loop.size_limit},
      {"read_only", loop.read_only},
      {"persistent", loop.persistent},
      {"inode", loop.inode},
      {"created_by_uid", loop.created_by_uid},
  });
}

std::string format_definitions(const std::vector<DefinitionInfo>& definitions) {
  if (definitions.empty())
    return "No stored definitions\n";
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATE", "REASON"}};
  for (const DefinitionInfo& definition : definitions) {
    rows.push_back(
        {definition.name, definition.state, definition.reason.empty() ? "-" : definition.reason});
  }
  return format_columns(rows);
}

Json definition_json(const DefinitionInfo& definition) {
  return Json::object({{"name", definition.name},
                       {"state", definition.state},
                       {"reason", definition.reason.empty() ? Json() : Json(definition.reason)}});
}

}  // namespace mapperctl
