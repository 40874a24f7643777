#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mapperd::bus {

// The polkit action (policy/org.mapperd.policy) each method of org.mapperd.Mapper1 needs.
struct MethodAction {
  std::string_view method;
  // Empty for a read: reads need no right.
  std::string_view action;
  // Only root may call it, whatever polkit would say: mapperd would act with its own rights
  // where it otherwise acts with the caller's (AttachLoopFile opens a path as root; AttachLoop
  // has the caller open it). `others` says what everyone else does instead.
  bool root_only = false;
  std::string_view others{};
};

// THE table: every method handler that goes through MethodCall::authorize_then() is listed.
std::span<const MethodAction> method_actions();

// The action `method` needs, or nullopt for a read. Throws mapperd::Error(Failed) for a method
// missing from the table, so a handler added without an entry is refused, never allowed.
std::optional<std::string_view> action_for(std::string_view method);

// Throws sdbus::Error org.freedesktop.DBus.Error.AccessDenied, naming the method and what to
// do instead, when `method` is root-only and `caller_uid` is not 0. mapperd::Error(Failed) for
// a method missing from the table, as action_for().
void require_root_if_needed(std::string_view method, std::uint32_t caller_uid);

}  // namespace mapperd::bus
