#pragma once

#include <exception>
#include <functional>
#include <string_view>

#include "call_options.h"
#include "caller.h"

namespace mapperd::bus {

// The single point where the bus layer asks whether a caller may do something. MethodCall's
// authorize_then() looks the method's polkit action up (method_actions.h) and asks here before
// every change; reads are not asked about.
class Authorizer {
 public:
  // nullptr to go ahead, or the error to reply with (a mapperd::Error or sdbus::Error, e.g.
  // org.freedesktop.DBus.Error.AccessDenied).
  using Continuation = std::function<void(std::exception_ptr refusal)>;

  virtual ~Authorizer() = default;
  // Whether `caller` may do `action_id` ("org.mapperd.create"). Calls `continuation` exactly
  // once, on the main thread, possibly before returning. An implementation that asks polkit must
  // do so asynchronously (a synchronous call on the serving connection would stall it);
  // `options.no_user_interaction()` says whether polkit may prompt.
  virtual void authorize(std::string_view action_id, const Caller& caller,
                         const CallOptions& options, Continuation continuation) = 0;
};

// For tests of the bus layer on a private bus, where there is no polkit: allows everything.
class AllowEverything final : public Authorizer {
 public:
  void authorize(std::string_view action_id, const Caller& caller, const CallOptions& options,
                 Continuation continuation) override;
};

}  // namespace mapperd::bus
