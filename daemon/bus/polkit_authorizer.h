#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/IProxy.h>

#include <cstdint>
#include <memory>
#include <string>

#include "authorizer.h"

namespace mapperd::bus {

// org.freedesktop.PolicyKit1.CheckAuthorizationFlags.AllowUserInteraction.
inline constexpr std::uint32_t kPolkitAllowUserInteraction = 1;

// The CheckAuthorization flags for a call with `options`: AllowUserInteraction unless the
// caller sent auth.no_user_interaction=true (a script, or a client with no agent to answer).
std::uint32_t polkit_flags(const CallOptions& options);

// "not authorized for org.mapperd.create": the AccessDenied message for a refusal by polkit;
// `challenge` when polkit would have allowed it after authentication.
std::string denial_message(std::string_view action_id, bool challenge);

// Asks polkitd (org.freedesktop.PolicyKit1.Authority.CheckAuthorization) about the caller's
// system-bus-name, asynchronously on the serving connection: the reply is dispatched by the same
// event loop that serves mapperd's own calls, so a slow polkit (or a user typing a password)
// never stalls the daemon. Root (uid 0, as the bus daemon reports it) is allowed without asking.
// Refusals are org.freedesktop.DBus.Error.AccessDenied; when polkit cannot be asked (not
// installed, not running, an error reply) the call is refused too: fail closed.
class PolkitAuthorizer final : public Authorizer {
 public:
  // `connection` must outlive this, and be served by the main loop.
  explicit PolkitAuthorizer(sdbus::IConnection& connection);

  void authorize(std::string_view action_id, const Caller& caller, const CallOptions& options,
                 Continuation continuation) override;

 private:
  std::unique_ptr<sdbus::IProxy> authority_;
};

}  // namespace mapperd::bus
