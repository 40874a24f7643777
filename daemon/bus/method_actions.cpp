#include "method_actions.h"

#include <sdbus-c++/Error.h>

#include <array>
#include <string>

#include "model/error.h"

namespace mapperd::bus {
namespace {

// One action per kind of harm: making a new device (create), making one that shares an origin's
// blocks (snapshot), destroying one (remove), changing what an existing one maps or does
// (modify), and binding files to loop devices (manage-loops). An administrator can then grant,
// say, snapshots without removals.
// A batch is asked about once, under the action of what it does to each map.
constexpr std::array<MethodAction, 16> kMethodActions = {{
    {"CreateMap", "org.mapperd.create"},
    {"CreateMaps", "org.mapperd.create"},
    {"CreateSnapshot", "org.mapperd.snapshot"},
    {"Remove", "org.mapperd.remove"},
    {"RemoveMaps", "org.mapperd.remove"},
    {"Reload", "org.mapperd.modify"},
    {"Suspend", "org.mapperd.modify"},
    {"Resume", "org.mapperd.modify"},
    {"Rename", "org.mapperd.modify"},
    {"Message", "org.mapperd.modify"},
    {"GetStatus", ""},
    // Rolls the origin back to the snapshot: the snapshot's harm, undone.
    {"Merge", "org.mapperd.snapshot"},
    // No job today can stop; Cancel is refused before anything would be asked.
    {"Cancel", "org.mapperd.snapshot"},
    {"AttachLoop", "org.mapperd.manage-loops"},
    // mapperd opens the path as root: for anyone else that would bypass the file's permissions.
    {"AttachLoopFile", "org.mapperd.manage-loops", true,
     "others open the file themselves and pass it with AttachLoop"},
    {"Detach", "org.mapperd.manage-loops"},
}};

const MethodAction& entry_for(std::string_view method) {
  for (const MethodAction& entry : kMethodActions) {
    if (entry.method == method)
      return entry;
  }
  throw Error(ErrorKind::Failed,
              "internal error: method " + std::string(method) + " has no authorization entry");
}

}  // namespace

std::span<const MethodAction> method_actions() {
  return kMethodActions;
}

std::optional<std::string_view> action_for(std::string_view method) {
  const MethodAction& entry = entry_for(method);
  if (entry.action.empty())
    return std::nullopt;
  return entry.action;
}

void require_root_if_needed(std::string_view method, std::uint32_t caller_uid) {
  const MethodAction& entry = entry_for(method);
  if (!entry.root_only || caller_uid == 0)
    return;
  std::string message = "only root may call " + std::string(method);
  if (!entry.others.empty())
    message += "; " + std::string(entry.others);
  throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied", message);
}

}  // namespace mapperd::bus
