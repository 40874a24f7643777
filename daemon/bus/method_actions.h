#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace mapperd::bus {

// The polkit action (policy/org.mapperd.policy) each method of org.mapperd.Mapper1 needs.
struct MethodAction {
  std::string_view method;
  // Empty for a read: reads need no right.
  std::string_view action;
};

// THE table: every method handler that goes through MethodCall::authorize_then() is listed.
// org.mapperd.manage-loops is not here yet: no method attaches loop devices (persistence issue).
std::span<const MethodAction> method_actions();

// The action `method` needs, or nullopt for a read. Throws mapperd::Error(Failed) for a method
// missing from the table, so a handler added without an entry is refused, never allowed.
std::optional<std::string_view> action_for(std::string_view method);

}  // namespace mapperd::bus
