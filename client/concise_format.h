#pragma once
// The `dmsetup create --concise` format, read: what `mapperctl create --concise` sends as one
// CreateMaps call. The inverse of format_concise() (map_output.h), with dmsetup's rules:
//
//   NAME,UUID,MINOR,FLAGS,TABLE-LINE[,TABLE-LINE...][;NAME,...]
//
// "," separates fields, ";" separates maps, and "\" makes the next character (",", ";", "\" or
// any other) part of the field. UUID and MINOR may be empty; FLAGS is "ro" or "rw"; each
// TABLE-LINE is one "START LENGTH TARGET ARGS" line. "=" is an ordinary character (legal in map
// names), and a newline at the end of the text is ignored. Pure: tested on plain strings.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapperctl {

// One map of a concise text.
struct ConciseMap {
  // Where it is in the text, counting from 1: what errors name.
  std::size_t position = 0;
  std::string name;
  std::string uuid;  // empty: mapperd picks one
  bool read_only = false;
  // The table, one line per TABLE-LINE, each ending in "\n".
  std::string table;
};

// The maps of `text`, in order. Throws CommandError(Invalid) naming the map (its position, and
// its name once read) and the field for: an empty text, a map with fewer than five fields, an
// empty name, FLAGS other than "ro"/"rw", an empty table line, a "\" that ends the text, and a
// MINOR (mapperd does not choose minors: the kernel picks one, so the field must be empty).
std::vector<ConciseMap> parse_concise(std::string_view text);

}  // namespace mapperctl
