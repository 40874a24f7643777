#pragma once
// How maps look on the terminal and in JSON. The JSON field names are a documented interface
// (mapperctl(1), JSON OUTPUT): add fields, never rename them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_output.h"
#include "mapper_service.h"

namespace mapperctl {

// "7:1 0\n7:2 0" -> {"7:1 0", "7:2 0"}; a trailing newline makes no empty last line.
std::vector<std::string> split_lines(std::string_view text);

// `dmsetup ls`'s "NAME\t(MAJOR:MINOR)" per map, then "\tpersistent", "\ttransient" or "\t-"
// (another tool's map) and, when some are missing, "\tmissing: DEV, DEV"; "No devices found"
// for none, unless not `legend`. With `columns` (-o UUID,SIZE,...), dmsetup's two columns and
// then those, tab-separated; CommandError(Usage) for a column there is not.
std::string format_ls(const std::vector<MapInfo>& maps,
                      const std::optional<std::string>& columns = std::nullopt, bool legend = true);
// `mapperctl info`: "Key: value" lines.
std::string format_info(const MapInfo& map);
// "4096 sectors (2.0 MiB)".
std::string format_size(std::uint64_t sectors);
// A snapshot's COW use, 0..100 (as the daemon's FillPercent: 100 for an invalid one).
double fill_percent(const MapInfo& map);

// The map object of --json output, with the map's D-Bus object path.
Json map_json(const MapInfo& map);
// The lines of `text` as a JSON array of strings.
Json lines_json(std::string_view text);
// `table`/`status` with a prefix per line ("NAME: ") when `prefixed`.
std::string format_lines(const std::string& name, const std::string& text, bool prefixed);

// `table --concise`: the maps as `dmsetup create --concise` reads them, one line:
// NAME,UUID,MINOR,ro|rw,LINE[,LINE...] per map, ";" between maps, "\" before a "," ";" or "\"
// inside a field. A map comes after the listed maps it is built on (its dependencies), so
// dmsetup can create them in order.
std::string format_concise(const std::vector<MapInfo>& maps);

// `monitor`: one line of text, or one JSON object, per event.
std::string format_event(const MapEvent& event);
Json event_json(const MapEvent& event);

}  // namespace mapperctl
