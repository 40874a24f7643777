#pragma once
// How loop devices and stored definitions look on the terminal and in JSON. As for maps
// (map_output.h), the JSON field names are a documented interface: add fields, never rename.

#include <optional>
#include <string>
#include <vector>

#include "json_output.h"
#include "mapper_service.h"

namespace mapperctl {

// `loop ls`: a header and one line per loop, as `losetup --list` lays them out (NAME OFFSET
// SIZELIMIT RO PERSISTENT BACK-FILE, bytes; others with `columns`, -o NAME,MAJ:MIN,INODE,...); a
// sentence when there is none. Neither header nor sentence unless `legend`.
std::string format_loops(const std::vector<LoopInfo>& loops,
                         const std::optional<std::string>& columns = std::nullopt,
                         bool legend = true);
// The loop object of --json output.
Json loop_json(const LoopInfo& loop);

// `definitions`: a header and NAME STATE REASON per definition (those `columns` name, with -o);
// a sentence when there is none. Neither header nor sentence unless `legend`.
std::string format_definitions(const std::vector<DefinitionInfo>& definitions,
                               const std::optional<std::string>& columns = std::nullopt,
                               bool legend = true);
// {"name":...,"state":...,"reason":... or null}.
Json definition_json(const DefinitionInfo& definition);

// Rows as columns: each cell padded to its column's widest, two spaces apart, the last column
// not padded (it may hold spaces, like a file name).
std::string format_columns(const std::vector<std::vector<std::string>>& rows);

}  // namespace mapperctl
