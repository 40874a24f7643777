#pragma once

#include <exception>
#include <functional>
#include <string_view>

#include "call_options.h"
#include "caller.h"

namespace mapperd::bus {

// What a method call asks to do. Issue 4 maps each to a polkit action.
enum class Action {
  CreateMap,       // CreateMap
  CreateSnapshot,  // CreateSnapshot
  ChangeMap,       // Suspend, Resume, Reload, Rename, Message
  RemoveMap,       // Remove
  ReadStatus,      // GetStatus
};

// "org.mapperd.Mapper1.create-map", ...: the polkit action id.
std::string_view action_id(Action action);

// The single point where the bus layer asks whether a caller may do something. Every method
// handler calls authorize() after validating its arguments and before acting.
class Authorizer {
 public:
  // nullptr to go ahead, or the error to reply with (a mapperd::Error or sdbus::Error, e.g.
  // org.freedesktop.DBus.Error.AccessDenied).
  using Continuation = std::function<void(std::exception_ptr refusal)>;

  virtual ~Authorizer() = default;
  // Calls `continuation` exactly once, on the main thread, possibly before returning. An
  // implementation that asks polkit must do so asynchronously (a synchronous call on the serving
  // connection would stall it); `options.no_user_interaction()` says whether polkit may prompt.
  virtual void authorize(Action action, const Caller& caller, const CallOptions& options,
                         Continuation continuation) = 0;
};

// Until polkit is plugged in (issue 4): the bus policy lets only root own the name, and every
// caller may call; this allows everything.
class AllowEverything final : public Authorizer {
 public:
  void authorize(Action action, const Caller& caller, const CallOptions& options,
                 Continuation continuation) override;
};

}  // namespace mapperd::bus
