#pragma once
// The floors of the house (docs/architecture.md) as data, and the check of an include graph
// against them: a file may include its own room and the rooms on floors below its own, never a
// room beside it or above it. The rooms of one floor (the seams) stand side by side and meet
// only in main.cpp. A room apart (the client) names the few rooms it may include instead.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "include_scanner.h"

namespace mapperd::architecture {

struct Floors {
  // Room (a folder of the source tree, "daemon/kernel") -> its floor, 0 the ground.
  std::map<std::string, int> floor_of_room;
  // Room standing on no floor -> the rooms it may include besides its own.
  std::map<std::string, std::vector<std::string>> rooms_apart;
  // Where quoted includes are found: "engine/engine.h" names the room "daemon/engine" when this
  // is "daemon". An include without a '/' names a header in the including file's own folder.
  std::string include_root;
  // Quoted includes of generated code ("mapperd-dbus/"), which is in no room.
  std::vector<std::string> generated_prefixes;
};

// The room `file` (relative to the source tree) is in: the longest room name that is a folder
// above it; nothing when it is in none.
std::optional<std::string> room_of(const Floors& floors, const std::string& file);

// The room a quoted `header` included by a file in `from_room` names (a room the floors may not
// know: "daemon/foo" for "foo/bar.h"); nothing for generated code.
std::optional<std::string> room_included(const Floors& floors, const std::string& from_room,
                                         const std::string& header);

// Every quoted include among `includes` that goes from a file's room to a room on the same floor
// or higher, to a room an apart room may not include, or to a room the floors do not know, as
// "daemon/udev/x.h:3 includes \"loopdev/y.h\": daemon/udev (floor 2) may not include
// daemon/loopdev (floor 2)". Files in no room, and <angle bracket> includes, are not checked.
std::vector<std::string> floor_violations(const std::vector<Include>& includes,
                                          const Floors& floors);

// The house as docs/architecture.md draws it.
const Floors& mapperd_floors();

}  // namespace mapperd::architecture
