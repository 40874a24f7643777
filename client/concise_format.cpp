#include "concise_format.h"

#include "exit_status.h"

namespace mapperctl {
namespace {

// A map's fields, unescaped, as read up to its ";" (or the end).
using Fields = std::vector<std::string>;

CommandError invalid(std::size_t position, const std::string& name, const std::string& why) {
  return CommandError(ExitStatus::Invalid,
                      "concise map #" + std::to_string(position) +
                          (name.empty() ? "" : " '" + name + "'") + ": " + why,
                      "InvalidArgument");
}

// Splits `text` into maps and their fields, resolving escapes on the way; so an escaped "," or
// ";" never separates anything.
std::vector<Fields> split(std::string_view text) {
  std::vector<Fields> maps(1, Fields(1));
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 == text.size())
        throw invalid(maps.size(), maps.back().front(), "the text ends in a lone \"\\\"");
      maps.back().back() += text[++i];
    } else if (c == ',') {
      maps.back().emplace_back();
    } else if (c == ';') {
      maps.emplace_back(1);
    } else {
      maps.back().back() += c;
    }
  }
  return maps;
}

ConciseMap map_from(std::size_t position, Fields fields) {
  ConciseMap map;
  map.position = position;
  map.name = fields[0];
  if (map.name.empty())
    throw invalid(position, "", "the name (field 1) is empty");
  if (fields.size() < 5) {
    throw invalid(position, map.name,
                  "it has " + std::to_string(fields.size()) +
                      " field(s); a map needs NAME,UUID,MINOR,FLAGS,TABLE-LINE");
  }
  map.uuid = fields[1];
  if (!fields[2].empty()) {
    throw invalid(position, map.name,
                  "minor '" + fields[2] +
                      "' (field 3): mapperd does not choose minors (the kernel picks one); "
                      "leave the field empty");
  }
  if (fields[3] != "ro" && fields[3] != "rw") {
    throw invalid(position, map.name,
                  "flags '" + fields[3] + "' (field 4) must be \"ro\" or \"rw\"");
  }
  map.read_only = fields[3] == "ro";
  for (std::size_t i = 4; i < fields.size(); ++i) {
    if (fields[i].find_first_not_of(" \t") == std::string::npos) {
      throw invalid(position, map.name,
                    "table line " + std::to_string(i - 3) + " (field " + std::to_string(i + 1) +
                        ") is empty");
    }
    map.table += fields[i] + "\n";
  }
  return map;
}

}  // namespace

std::vector<ConciseMap> parse_concise(std::string_view text) {
  // The newline `table --concise` ends its line with, or an editor's.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.empty())
    throw CommandError(ExitStatus::Invalid, "the concise text names no map", "InvalidArgument");
  std::vector<ConciseMap> maps;
  std::size_t position = 0;
  for (Fields& fields : split(text))
    maps.push_back(map_from(++position, std::move(fields)));
  return maps;
}

}  // namespace mapperctl
