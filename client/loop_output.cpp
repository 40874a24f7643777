#include "loop_output.h"

#include <algorithm>

#include "columns.h"
#include "object_path.h"

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

std::string format_loops(const std::vector<LoopInfo>& loops,
                         const std::optional<std::string>& columns, bool legend) {
  if (loops.empty())
    return legend ? "No loop devices attached by mapperd\n" : "";
  const std::vector<Column<LoopInfo>> known = {
      {"NAME", [](const LoopInfo& loop) { return loop.device_path; }},
      {"MAJ:MIN",
       [](const LoopInfo& loop) {
         return std::to_string(loop.major) + ":" + std::to_string(loop.minor);
       }},
      {"OFFSET", [](const LoopInfo& loop) { return std::to_string(loop.offset); }},
      {"SIZELIMIT", [](const LoopInfo& loop) { return std::to_string(loop.size_limit); }},
      {"RO", [](const LoopInfo& loop) { return yes_no(loop.read_only); }},
      {"PERSISTENT", [](const LoopInfo& loop) { return yes_no(loop.persistent); }},
      {"INODE", [](const LoopInfo& loop) { return std::to_string(loop.inode); }},
      {"UID", [](const LoopInfo& loop) { return std::to_string(loop.created_by_uid); }},
      {"BACK-FILE", [](const LoopInfo& loop) { return loop.backing_file; }},
  };
  const auto picked = pick_columns(known, column_names(columns, {"NAME", "OFFSET", "SIZELIMIT",
                                                                 "RO", "PERSISTENT", "BACK-FILE"}));
  return format_columns(column_rows(picked, loops, legend));
}

Json loop_json(const LoopInfo& loop) {
  return {
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
      {"warnings", loop.warnings},
      {"object_path", loop_object_path(loop.index)},
  };
}

std::string format_definitions(const std::vector<DefinitionInfo>& definitions,
                               const std::optional<std::string>& columns, bool legend) {
  if (definitions.empty())
    return legend ? "No stored definitions\n" : "";
  const std::vector<Column<DefinitionInfo>> known = {
      {"NAME", [](const DefinitionInfo& definition) { return definition.name; }},
      {"STATE", [](const DefinitionInfo& definition) { return definition.state; }},
      {"REASON",
       [](const DefinitionInfo& definition) {
         return definition.reason.empty() ? "-" : definition.reason;
       }},
  };
  const auto picked = pick_columns(known, column_names(columns, {"NAME", "STATE", "REASON"}));
  return format_columns(column_rows(picked, definitions, legend));
}

Json definition_json(const DefinitionInfo& definition) {
  return {{"name", definition.name},
          {"state", definition.state},
          {"reason", definition.reason.empty() ? Json() : Json(definition.reason)}};
}

}  // namespace mapperctl
