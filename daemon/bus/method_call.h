#pragma once

#include <sdbus-c++/Error.h>
#include <sdbus-c++/IObject.h>
#include <sdbus-c++/MethodResult.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authorizer.h"
#include "caller.h"
#include "engine/engine.h"
#include "error_translation.h"
#include "log/event_log.h"
#include "method_actions.h"
#include "per_user_limit.h"

namespace mapperd::bus {

// Status reads a user other than root may have in flight at once. Anyone may read a map's
// status, and each read waits its turn on the kernel thread.
inline constexpr std::size_t kStatusReadsPerUser = 8;

// What every object's handlers use.
struct BusServices {
  Engine& engine;
  Authorizer& authorizer;
  EventLog& log;
  // Shared by every copy, so one bound holds across all map objects.
  std::shared_ptr<PerUserLimit> status_reads = std::make_shared<PerUserLimit>(kStatusReadsPerUser);
  // The callers' uids, asked of the bus once per connection that calls.
  std::shared_ptr<SenderUids> sender_uids = std::make_shared<SenderUids>();
};

// Whether a method changes anything: changes are logged when they succeed and when they fail,
// reads only when they fail (at debug level).
enum class CallKind { Change, Read };

// One asynchronous method call, from its handler to its single reply. The handler, the
// authorizer's continuation and the engine's completion share it (by shared_ptr). Every failure,
// thrown in a guarded step or delivered by the engine, goes through to_dbus_error() and is logged
// once, with MAPPERD_MAP=, MAPPERD_UUID= (or MAPPERD_LOOP=) and MAPPERD_CALLER=.
template <class... Results>
class MethodCall : public std::enable_shared_from_this<MethodCall<Results...>> {
 public:
  using Pointer = std::shared_ptr<MethodCall>;

  // Call inside the handler, while the message is current: the caller is read now.
  // `object_in_use` is held until the call is answered: sd-bus checks a method return against
  // the signature in the vtable of the object that received the call, so that object must stay
  // registered until then (see BusService's retired objects).
  static Pointer begin(sdbus::Result<Results...>&& result, const sdbus::IObject& object,
                       BusServices& services, CallKind kind, std::string method,
                       std::string map_name, std::shared_ptr<const void> object_in_use = {}) {
    Pointer call(
        new MethodCall(std::move(result), services, kind, std::move(method), std::move(map_name)));
    call->object_in_use_ = std::move(object_in_use);
    try {
      call->caller_ = current_caller(object, *services.sender_uids);
    } catch (...) {
      call->fail(std::current_exception());
    }
    return call;
  }

  // Runs `step()` unless the call already failed; what it throws becomes the error reply. The
  // engine calls it makes are the caller's connection's (Engine::ClientScope): one client's
  // flood waits in its own lane.
  template <class Step>
  void guard(Step&& step) noexcept {
    if (replied_)
      return;
    try {
      const Engine::ClientScope on_behalf_of(caller_.sender);
      step();
    } catch (...) {
      fail(std::current_exception());
    }
  }

  // Asks the authorizer whether the caller may call this method (its polkit action from
  // method_actions.h; a read is not asked about); when allowed, runs `act()` guarded. A
  // root-only method called by anyone else is refused first, without asking polkit.
  template <class Act>
  void authorize_then(const CallOptions& options, Act act) {
    std::optional<std::string_view> action;
    guard([&] {
      action = action_for(method_);
      require_root_if_needed(method_, caller_.uid);
    });
    if (replied_)
      return;
    if (!action)
      return guard(act);
    auto self = this->shared_from_this();
    services_.authorizer.authorize(*action, caller_, options,
                                   [self, act = std::move(act)](std::exception_ptr refusal) {
                                     if (refusal)
                                       return self->fail(refusal);
                                     self->guard(act);
                                   });
  }

  // Replies with `results`. For a change, `what` ("created map twoasone") goes to the log.
  void succeed(std::string_view what, const Results&... results) noexcept {
    if (replied_)
      return;
    replied_ = true;
    if (kind_ == CallKind::Change)
      services_.log.write(LogLevel::Info, what, fields());
    try {
      result_.returnResults(results...);
    } catch (const std::exception& e) {
      services_.log.write(LogLevel::Warning, method_ + ": the reply could not be sent: " + e.what(),
                          fields());
    }
  }

  // Logs what a batch did to one of its maps, under that map's MAPPERD_MAP, so that
  // `journalctl MAPPERD_MAP=NAME` tells each map's whole story whichever call changed it.
  void note_for_map(std::string_view what, const std::string& map) noexcept {
    std::vector<LogField> log_fields = fields();
    log_fields.push_back(LogField{"MAPPERD_MAP", map});
    services_.log.write(LogLevel::Info, what, log_fields);
  }

  // Logs `warning` (the call goes on: a warning is not a refusal) with the call's fields.
  void warn(std::string_view warning) noexcept {
    services_.log.write(LogLevel::Warning, method_ + ": " + std::string(warning), fields());
  }

  // Replies with `error` as to_dbus_error() translates it.
  void fail(std::exception_ptr error) noexcept {
    if (replied_)
      return;
    replied_ = true;
    const sdbus::Error reply = to_dbus_error(error);
    std::vector<LogField> log_fields = fields();
    log_fields.push_back(LogField{"MAPPERD_ERROR", reply.getName()});
    const std::string& subject = map_name_.empty() ? loop_ : map_name_;
    services_.log.write(
        kind_ == CallKind::Change ? LogLevel::Warning : LogLevel::Debug,
        method_ + (subject.empty() ? "" : " " + subject) + " failed: " + reply.getMessage(),
        log_fields);
    try {
      result_.returnError(reply);
    } catch (const std::exception& e) {
      services_.log.write(LogLevel::Warning,
                          method_ + ": the error reply could not be sent: " + e.what(), fields());
    }
    object_in_use_.reset();
  }

  // The map the call turned out to be about (a create's new map), for the log.
  void about(std::string map_name, std::string uuid) {
    map_name_ = std::move(map_name);
    uuid_ = std::move(uuid);
  }

  // The loop device the call is about ("/dev/loop7"), for the log (MAPPERD_LOOP=).
  void about_loop(std::string device) { loop_ = std::move(device); }

  const Caller& caller() const { return caller_; }

 private:
  MethodCall(sdbus::Result<Results...>&& result, BusServices& services, CallKind kind,
             std::string method, std::string map_name)
      : result_(std::move(result)),
        services_(services),
        kind_(kind),
        method_(std::move(method)),
        map_name_(std::move(map_name)) {}

  std::vector<LogField> fields() const {
    std::vector<LogField> result{{"MAPPERD_METHOD", method_},
                                 {"MAPPERD_CALLER", caller_.describe()}};
    if (!map_name_.empty())
      result.push_back({"MAPPERD_MAP", map_name_});
    if (!uuid_.empty())
      result.push_back({"MAPPERD_UUID", uuid_});
    if (!loop_.empty())
      result.push_back({"MAPPERD_LOOP", loop_});
    return result;
  }

  sdbus::Result<Results...> result_;
  BusServices& services_;
  CallKind kind_;
  std::string method_;
  std::string map_name_;
  std::string uuid_;
  std::string loop_;
  Caller caller_;
  bool replied_ = false;
  std::shared_ptr<const void> object_in_use_;
};

// Runs the body of a property getter or a synchronous method, with any exception translated by
// to_dbus_error() (sdbus::Error is the only kind sdbus-c++ 1.2.0 survives there).
template <class Read>
auto with_dbus_errors(Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (...) {
    throw to_dbus_error(std::current_exception());
  }
}

}  // namespace mapperd::bus
