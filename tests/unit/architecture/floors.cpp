#include "floors.h"

#include <algorithm>

namespace mapperd::architecture {
namespace {

std::string folder_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

std::string floor_text(const Floors& floors, const std::string& room) {
  const auto found = floors.floor_of_room.find(room);
  if (found != floors.floor_of_room.end())
    return room + " (floor " + std::to_string(found->second) + ")";
  if (floors.rooms_apart.contains(room))
    return room + " (apart)";
  return room + " (on no floor)";
}

// Why the room `from` may not include the room `to`; nothing when it may.
std::optional<std::string> refusal(const Floors& floors, const std::string& from,
                                   const std::string& to) {
  if (from == to)
    return std::nullopt;
  const auto to_floor = floors.floor_of_room.find(to);
  if (to_floor == floors.floor_of_room.end() && !floors.rooms_apart.contains(to))
    return to + " is no room of docs/architecture.md";
  if (const auto apart = floors.rooms_apart.find(from); apart != floors.rooms_apart.end()) {
    if (std::find(apart->second.begin(), apart->second.end(), to) != apart->second.end())
      return std::nullopt;
    return floor_text(floors, from) + " may not include " + floor_text(floors, to);
  }
  const auto from_floor = floors.floor_of_room.find(from);
  if (to_floor != floors.floor_of_room.end() && to_floor->second < from_floor->second)
    return std::nullopt;
  return floor_text(floors, from) + " may not include " + floor_text(floors, to);
}

}  // namespace

std::optional<std::string> room_of(const Floors& floors, const std::string& file) {
  std::optional<std::string> best;
  auto consider = [&](const std::string& room) {
    if (file.starts_with(room + "/") && (!best || room.size() > best->size()))
      best = room;
  };
  for (const auto& [room, floor] : floors.floor_of_room)
    consider(room);
  for (const auto& [room, rooms] : floors.rooms_apart)
    consider(room);
  return best;
}

std::optional<std::string> room_included(const Floors& floors, const std::string& from_room,
                                         const std::string& header) {
  for (const std::string& prefix : floors.generated_prefixes) {
    if (header.starts_with(prefix))
      return std::nullopt;
  }
  const std::size_t slash = header.find('/');
  if (slash == std::string::npos)
    return from_room;
  return floors.include_root + "/" + header.substr(0, slash);
}

std::vector<std::string> floor_violations(const std::vector<Include>& includes,
                                          const Floors& floors) {
  std::vector<std::string> violations;
  for (const Include& include : includes) {
    if (include.angle_brackets)
      continue;
    const std::optional<std::string> from = room_of(floors, include.file);
    if (!from)
      continue;
    // A header beside the file ("engine.h") is in the file's own folder, which for a file in a
    // room's subfolder is still that room.
    const std::optional<std::string> to =
        include.header.find('/') == std::string::npos
            ? room_of(floors, folder_of(include.file) + "/" + include.header).value_or(*from)
            : room_included(floors, *from, include.header);
    if (!to)
      continue;
    if (const std::optional<std::string> why = refusal(floors, *from, *to))
      violations.push_back(include.describe() + ": " + *why);
  }
  return violations;
}

const Floors& mapperd_floors() {
  static const Floors floors{
      .floor_of_room =
          {
              // The ground floor: values and pure rules, the standard library only.
              {"daemon/model", 0},
              // Beside it, what several seams share: abstract classes over the model's values.
              {"daemon/interfaces", 1},
              // The seams, side by side, each over one C library or system facility.
              {"daemon/kernel", 2},
              {"daemon/loopdev", 2},
              {"daemon/udev", 2},
              {"daemon/store", 2},
              {"daemon/events", 2},
              {"daemon/log", 2},
              // The use cases, written against the seams.
              {"daemon/engine", 3},
              // The D-Bus face.
              {"daemon/bus", 4},
              // main.cpp and what it wires with: the only place the seams meet.
              {"daemon", 5},
          },
      // mapperctl stands apart: the generated proxy, and the model for offline checks.
      .rooms_apart = {{"client", {"daemon/model"}}},
      .include_root = "daemon",
      .generated_prefixes = {"mapperd-dbus/"},
  };
  return floors;
}

}  // namespace mapperd::architecture
