#pragma once

#include <sdbus-c++/IConnection.h>

#include <map>
#include <memory>
#include <string>

#include "caller_bound_maps.h"
#include "engine/engine_observer.h"
#include "events/event_loop.h"
#include "job_object.h"
#include "loop_object.h"
#include "manager_object.h"
#include "map_object.h"
#include "method_call.h"
#include "shutdown_inhibitor.h"

namespace mapperd::bus {

// mapperd on one bus connection: the manager object, one map object per exported map and one
// loop object per loop device mapperd attached, kept in step with the engine. As the
// EngineObserver it exports and unexports objects and emits the signals, with complete contents:
//  - a new map or loop: its object is exported, then InterfacesAdded with every property;
//  - a change: PropertiesChanged on org.mapperd.Mapper1.Map with the new values (a loop's
//    properties never change: it is only added and removed);
//  - a removal (a map removed, a loop detached or gone): InterfacesRemoved, then the object is
//    unexported;
//  - a rename: InterfacesRemoved on the old path, InterfacesAdded on the new one;
//  - a snapshot's fill crossing a threshold, its invalidation: the signal on its object, and a
//    journal warning (error) with its own MESSAGE_ID, so journalctl can select them;
//  - a map made with bind-to-caller: removed when its caller leaves the bus (CallerBoundMaps);
//  - a job: InterfacesAdded when it starts, PropertiesChanged as it moves, Completed when it
//    ends, InterfacesRemoved when the engine lets it go; a logind shutdown:sleep inhibitor is
//    held from its start to its end.
// The engine announces before it completes an operation, so every reply follows its signals.
//
// A removed or renamed-away object is not unexported at once but retired: sd-bus checks every
// method return against the vtable of the object that received the call, so an object whose
// Remove, Rename or Detach is being answered (or any other call on it) must stay registered
// until its calls are answered. Retired objects are released by the event loop (attach()) once
// idle.
class BusService final : public EngineObserver {
 public:
  // Exports the manager object. Register it with Engine::set_observer() before Engine::start().
  BusService(sdbus::IConnection& connection, BusServices services);

  BusService(const BusService&) = delete;
  BusService& operator=(const BusService&) = delete;

  void map_added(const MapRecord& map) override;
  void map_changed(const MapRecord& map, const std::vector<MapField>& fields) override;
  void map_removed(const MapRecord& last_known) override;
  void map_renamed(const std::string& previous_name, const MapRecord& map) override;
  void targets_changed() override;
  void loop_added(const LoopRecord& loop) override;
  void loop_removed(const LoopRecord& last_known) override;
  void job_added(const JobRecord& job) override;
  void job_changed(const JobRecord& job) override;
  void job_completed(const JobRecord& job) override;
  void job_removed(const JobRecord& job) override;
  void snapshot_fill_crossed(const MapRecord& snapshot, unsigned percent) override;
  void snapshot_invalidated(const MapRecord& snapshot) override;
  void snapshot_cow_grown(const MapRecord& snapshot, std::uint64_t from, std::uint64_t to) override;
  void background_failure(const std::string& map, const std::string& message) override;

  // Releases retired objects from `loop`, on the turn after their last call was answered.
  void attach(EventLoop& loop);

  // Exported map and loop objects, for tests and introspection.
  std::size_t exported_maps() const { return maps_.size(); }
  std::size_t exported_loops() const { return loops_.size(); }

 private:
  // The signals must not escape as exceptions into the engine: a bus that cannot take a signal
  // is logged, and the engine goes on.
  template <class Emit>
  void emit_logged(const std::string& map_name, Emit&& emit) noexcept;
  template <class Emit>
  void emit_logged_for_loop(const LoopRecord& loop, Emit&& emit) noexcept;

  // Unexports the retired objects no call waits on; true when one still waits.
  bool release_retired();
  // Unexports a retired object at `name`'s path at once, answered or not: a new map needs it.
  void release_retired_named(const std::string& name);
  // The same for a loop object: a new loop got the same number.
  void release_retired_loop(std::uint32_t index);

  sdbus::IConnection& connection_;
  BusServices services_;
  CallerBoundMaps bound_maps_;
  ManagerObject manager_;
  std::map<std::string, std::unique_ptr<MapObject>> maps_;
  std::vector<std::unique_ptr<MapObject>> retired_;
  std::map<std::uint32_t, std::unique_ptr<LoopObject>> loops_;
  std::vector<std::unique_ptr<LoopObject>> retired_loops_;
  // A job's Cancel is answered at once, so a job object is unexported as soon as it goes.
  std::map<std::uint32_t, std::unique_ptr<JobObject>> jobs_;
  ShutdownInhibitor inhibitor_;
};

}  // namespace mapperd::bus
