#include "bus_service.h"

#include <algorithm>

namespace mapperd::bus {
namespace {

// journalctl MESSAGE_ID=... selects these, whatever their text.
constexpr const char* kSnapshotFillMessageId = "ba66c6ee1bca4004858cd70200ab96a6";
constexpr const char* kSnapshotInvalidMessageId = "d872a549b7244b249a6231e104ff88e4";

// A retired object no call waits on any more.
constexpr auto idle = [](const auto& object) { return !object->answering_calls(); };

}  // namespace

BusService::BusService(sdbus::IConnection& connection, BusServices services)
    : connection_(connection),
      services_(services),
      bound_maps_(connection, services.engine, services.log),
      manager_(connection, services_, bound_maps_),
      inhibitor_(connection, services.log) {}

template <class Emit>
void BusService::emit_logged(const std::string& map_name, Emit&& emit) noexcept {
  try {
    emit();
  } catch (const std::exception& e) {
    services_.log.write(LogLevel::Warning,
                        "cannot announce a change of map " + map_name + ": " + e.what(),
                        {{"MAPPERD_MAP", map_name}});
  }
}

template <class Emit>
void BusService::emit_logged_for_loop(const LoopRecord& loop, Emit&& emit) noexcept {
  try {
    emit();
  } catch (const std::exception& e) {
    services_.log.write(
        LogLevel::Warning,
        "cannot announce a change of loop device " + loop.device_path() + ": " + e.what(),
        {{"MAPPERD_LOOP", loop.device_path()}});
  }
}

void BusService::attach(EventLoop& loop) {
  loop.add_source(
      [this] {
        // Poll nothing; ask for an immediate turn only when something can be released now.
        const bool releasable = std::any_of(retired_.begin(), retired_.end(), idle) ||
                                std::any_of(retired_loops_.begin(), retired_loops_.end(), idle);
        return EventLoop::PollRequest{-1, 0, releasable ? 0 : -1};
      },
      [this] { release_retired(); });
}

bool BusService::release_retired() {
  std::erase_if(retired_, idle);
  std::erase_if(retired_loops_, idle);
  return !retired_.empty() || !retired_loops_.empty();
}

void BusService::release_retired_named(const std::string& name) {
  // Another map took the name while a call on the old one was still running (another tool
  // removed and re-created it): the path is needed now. That call's reply may then fail to send,
  // which MethodCall logs.
  std::erase_if(retired_, [&name](const std::unique_ptr<MapObject>& object) {
    return object->map_name() == name;
  });
}

void BusService::map_added(const MapRecord& map) {
  release_retired_named(map.name);
  emit_logged(map.name, [&] {
    auto object = std::make_unique<MapObject>(connection_, services_, map.name);
    MapObject& exported = *object;
    maps_[map.name] = std::move(object);
    exported.announce_added();
  });
}

void BusService::map_changed(const MapRecord& map, const std::vector<MapField>& fields) {
  const auto it = maps_.find(map.name);
  if (it == maps_.end())
    return map_added(map);
  emit_logged(map.name, [&] { it->second->announce_changed(fields); });
}

void BusService::map_removed(const MapRecord& last_known) {
  const auto it = maps_.find(last_known.name);
  if (it == maps_.end())
    return;
  // InterfacesRemoved lists the interfaces the object has, so it goes out while it still has
  // them; the object is unexported once its calls are answered.
  bound_maps_.removed(last_known.name);
  emit_logged(last_known.name, [&] { it->second->announce_removed(); });
  retired_.push_back(std::move(it->second));
  maps_.erase(it);
}

void BusService::map_renamed(const std::string& previous_name, const MapRecord& map) {
  bound_maps_.renamed(previous_name, map.name);
  MapRecord old = map;
  old.name = previous_name;
  map_removed(old);
  map_added(map);
}

void BusService::targets_changed() {
  emit_logged("", [&] { manager_.announce_targets_changed(); });
}

void BusService::release_retired_loop(std::uint32_t index) {
  // As release_retired_named(): the number was given to a new loop while a call on the old
  // object was still being answered.
  std::erase_if(retired_loops_, [index](const std::unique_ptr<LoopObject>& object) {
    return object->loop_index() == index;
  });
}

void BusService::loop_added(const LoopRecord& loop) {
  // A number announced again (bound anew) replaces its object, whose properties are fixed for
  // its life: removed, then added with the new ones.
  if (const auto it = loops_.find(loop.index); it != loops_.end())
    loop_removed(it->second->record());
  release_retired_loop(loop.index);
  emit_logged_for_loop(loop, [&] {
    auto object = std::make_unique<LoopObject>(connection_, services_, loop);
    LoopObject& exported = *object;
    loops_[loop.index] = std::move(object);
    exported.announce_added();
  });
}

void BusService::loop_removed(const LoopRecord& last_known) {
  const auto it = loops_.find(last_known.index);
  if (it == loops_.end())
    return;
  emit_logged_for_loop(last_known, [&] { it->second->announce_removed(); });
  retired_loops_.push_back(std::move(it->second));
  loops_.erase(it);
}

void BusService::job_added(const JobRecord& job) {
  emit_logged(job.origin, [&] {
    auto object = std::make_unique<JobObject>(connection_, services_, job);
    JobObject& exported = *object;
    jobs_[job.id] = std::move(object);
    exported.announce_added();
  });
  inhibitor_.hold(
      job.id, "merging snapshot " + (job.snapshot.empty() ? "into " + job.origin : job.snapshot));
}

void BusService::job_changed(const JobRecord& job) {
  if (const auto it = jobs_.find(job.id); it != jobs_.end())
    emit_logged(job.origin, [&] { it->second->announce_changed(job); });
}

void BusService::job_completed(const JobRecord& job) {
  services_.log.write(job.success ? LogLevel::Info : LogLevel::Error,
                      "job " + std::to_string(job.id) + " (" + job.operation + ") " +
                          (job.success ? "completed: " : "failed: ") + job.message,
                      {{"MAPPERD_MAP", job.origin}});
  inhibitor_.release(job.id);
  if (const auto it = jobs_.find(job.id); it != jobs_.end())
    emit_logged(job.origin, [&] { it->second->announce_completed(job); });
}

void BusService::job_removed(const JobRecord& job) {
  const auto it = jobs_.find(job.id);
  if (it == jobs_.end())
    return;
  emit_logged(job.origin, [&] { it->second->announce_removed(); });
  jobs_.erase(it);
}

void BusService::snapshot_fill_crossed(const MapRecord& snapshot, unsigned percent) {
  const double fill = snapshot.usage ? fill_percent(*snapshot.usage) : 0.0;
  services_.log.write(LogLevel::Warning,
                      "snapshot " + snapshot.name + " is " + std::to_string(percent) + " % full (" +
                          std::to_string(static_cast<int>(fill)) + " % of " +
                          (snapshot.usage ? to_string(snapshot.usage->total) : "?") +
                          " sectors); it is invalidated when its COW overflows",
                      {{"MAPPERD_MAP", snapshot.name},
                       {"MESSAGE_ID", kSnapshotFillMessageId},
                       {"MAPPERD_FILL_PERCENT", std::to_string(percent)}});
  if (const auto it = maps_.find(snapshot.name); it != maps_.end())
    emit_logged(snapshot.name, [&] { it->second->announce_fill_crossed(percent); });
}

void BusService::snapshot_cow_grown(const MapRecord& snapshot, std::uint64_t from,
                                    std::uint64_t to) {
  services_.log.write(LogLevel::Notice,
                      "grew the COW file of snapshot " + snapshot.name + " from " +
                          std::to_string(from / (1024 * 1024)) + " MiB to " +
                          std::to_string(to / (1024 * 1024)) + " MiB (auto-extend)",
                      {{"MAPPERD_MAP", snapshot.name}});
}

void BusService::background_failure(const std::string& map, const std::string& message) {
  std::vector<LogField> fields;
  if (!map.empty())
    fields.push_back({"MAPPERD_MAP", map});
  services_.log.write(LogLevel::Warning, message, fields);
}

void BusService::snapshot_invalidated(const MapRecord& snapshot) {
  services_.log.write(LogLevel::Error,
                      "snapshot " + snapshot.name +
                          " was invalidated by the kernel (its COW overflowed or failed): it can "
                          "no longer be read; its origin " +
                          snapshot.origin.value_or("?") + " is unharmed",
                      {{"MAPPERD_MAP", snapshot.name}, {"MESSAGE_ID", kSnapshotInvalidMessageId}});
  if (const auto it = maps_.find(snapshot.name); it != maps_.end())
    emit_logged(snapshot.name, [&] { it->second->announce_invalidated(); });
}

}  // namespace mapperd::bus
