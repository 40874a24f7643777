#include "polkit_authorizer.h"

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Types.h>

#include <map>
#include <utility>

namespace mapperd::bus {
namespace {

constexpr const char* kPolkitService = "org.freedesktop.PolicyKit1";
constexpr const char* kAuthorityPath = "/org/freedesktop/PolicyKit1/Authority";
constexpr const char* kAuthorityInterface = "org.freedesktop.PolicyKit1.Authority";
constexpr const char* kAccessDenied = "org.freedesktop.DBus.Error.AccessDenied";

// (sa{sv}): polkit's subject.
using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
// (bba{ss}): is_authorized, is_challenge, details.
using AuthorizationResult = sdbus::Struct<bool, bool, std::map<std::string, std::string>>;

std::exception_ptr access_denied(const std::string& message) {
  return std::make_exception_ptr(sdbus::Error(kAccessDenied, message));
}

}  // namespace

std::uint32_t polkit_flags(const CallOptions& options) {
  return options.no_user_interaction() ? 0 : kPolkitAllowUserInteraction;
}

std::string denial_message(std::string_view action_id, bool challenge) {
  std::string message = "not authorized for " + std::string(action_id);
  if (challenge) {
    // polkit would have allowed it after authentication, but no agent answered (or the caller
    // asked not to be prompted).
    message +=
        " (authentication is required: run it from a session with a polkit agent, or as "
        "root)";
  }
  return message;
}

PolkitAuthorizer::PolkitAuthorizer(sdbus::IConnection& connection)
    : authority_(sdbus::createProxy(connection, kPolkitService, kAuthorityPath)) {}

void PolkitAuthorizer::authorize(std::string_view action_id, const Caller& caller,
                                 const CallOptions& options, Continuation continuation) {
  if (caller.uid == kUnknownUid) {
    return continuation(
        access_denied("the bus did not say the caller's uid, so nothing is allowed to it"));
  }
  // Root can open /dev/mapper/control itself; asking polkit would only add a way to fail.
  if (caller.uid == 0)
    return continuation(nullptr);

  // The subject is the caller's unique bus name, never its pid (which could be reused, the
  // race polkit's unix-process subject is known for): polkitd asks the bus daemon for the
  // connection's uid and session itself.
  const Subject subject("system-bus-name", {{"name", sdbus::Variant(caller.sender)}});
  const std::map<std::string, std::string> no_details;
  const std::string cancellation_id;
  auto pending = std::make_shared<Continuation>(std::move(continuation));
  try {
    // The default timeout (25 s), as systemd uses for its own polkit checks: an authentication
    // dialog that takes longer is refused, and the client may simply retry.
    authority_->callMethodAsync("CheckAuthorization")
        .onInterface(kAuthorityInterface)
        .withArguments(subject, std::string(action_id), no_details, polkit_flags(options),
                       cancellation_id)
        .uponReplyInvoke([pending, action = std::string(action_id)](const sdbus::Error* error,
                                                                    AuthorizationResult result) {
          if (error != nullptr) {
            return (*pending)(access_denied("cannot ask polkit whether the caller may do " +
                                            action + " (" + error->getName() + ": " +
                                            error->getMessage() + "); refused"));
          }
          if (result.get<0>())
            return (*pending)(nullptr);
          (*pending)(access_denied(denial_message(action, result.get<1>())));
        });
  } catch (const std::exception& e) {
    // The call could not even be sent: refused, like an error reply.
    (*pending)(access_denied("cannot ask polkit whether the caller may do " +
                             std::string(action_id) + " (" + e.what() + "); refused"));
  }
}

}  // namespace mapperd::bus
