#include "method_actions.h"

#include <array>
#include <string>

#include "model/error.h"

namespace mapperd::bus {
namespace {

// One action per kind of harm: making a new device (create), making one that shares an origin's
// blocks (snapshot), destroying one (remove), and changing what an existing one maps or does
// (modify). An administrator can then grant, say, snapshots without removals.
constexpr std::array<MethodAction, 9> kMethodActions = {{
    {"CreateMap", "org.mapperd.create"},
    {"CreateSnapshot", "org.mapperd.snapshot"},
    {"Remove", "org.mapperd.remove"},
    {"Reload", "org.mapperd.modify"},
    {"Suspend", "org.mapperd.modify"},
    {"Resume", "org.mapperd.modify"},
    {"Rename", "org.mapperd.modify"},
    {"Message", "org.mapperd.modify"},
    {"GetStatus", ""},
}};

}  // namespace

std::span<const MethodAction> method_actions() {
  return kMethodActions;
}

std::optional<std::string_view> action_for(std::string_view method) {
  for (const MethodAction& entry : kMethodActions) {
    if (entry.method != method)
      continue;
    if (entry.action.empty())
      return std::nullopt;
    return entry.action;
  }
  throw Error(ErrorKind::Failed,
              "internal error: method " + std::string(method) + " has no authorization entry");
}

}  // namespace mapperd::bus
