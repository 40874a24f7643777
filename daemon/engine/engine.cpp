#include "engine.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <utility>

#include "definition_steps.h"
#include "kernel/kernel_table.h"
#include "kernel_report.h"
#include "loopdev/loop_devices.h"
#include "model/error.h"
#include "model/names.h"
#include "model/request_limits.h"
#include "model/table_limits.h"
#include "recovery.h"
#include "store/definition_store.h"

namespace mapperd {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : ", ") + word;
  return text;
}

// What a kernel job leaves for its completion: the work's value or failure, and the kernel as it
// was right after.
template <class T>
struct JobResult {
  std::optional<T> value;
  std::exception_ptr error;
  std::vector<KernelMap> maps;
  StoreDelta delta;
};

struct StartResult {
  std::string driver_version;
  std::vector<TargetVersion> targets;
};

bool is_timed_out(const std::exception_ptr& error) {
  if (!error)
    return false;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.kind() == ErrorKind::TimedOut;
  } catch (...) {
    return false;
  }
}

// A stored map waiting for its devices exists only as a definition: nothing to act on yet.
void require_running(const MapRecord& record, std::string_view operation) {
  if (record.device == DeviceNumber{}) {
    throw Error(ErrorKind::DeviceMissing,
                std::string(operation) + " " + record.name +
                    ": the map is stored but not running (it waits for its devices; see "
                    "'mapperctl definitions')");
  }
}

std::string layer_name(const std::string& origin) {
  return origin + "-real";
}

class NobodyListens final : public EngineObserver {
 public:
  void map_added(const MapRecord&) override {}
  void map_changed(const MapRecord&, const std::vector<MapField>&) override {}
  void map_removed(const MapRecord&) override {}
  void map_renamed(const std::string&, const MapRecord&) override {}
  void targets_changed() override {}
  void loop_added(const LoopRecord&) override {}
  void loop_removed(const LoopRecord&) override {}
};

EngineObserver& nobody_listens() {
  static NobodyListens observer;
  return observer;
}

}  // namespace

Engine::Engine(KernelThread& kernel, ZeroDeviceStart zero_device_start,
               const BlockDevices* block_devices, EngineStorage storage)
    : kernel_(kernel),
      observer_(&nobody_listens()),
      zero_device_start_(std::move(zero_device_start)),
      block_devices_(block_devices),
      storage_(storage) {}

void Engine::start(Completion<Done> done) {
  if (!storage_.enabled())
    return rescan(std::move(done));
  restore_pass(true, std::move(done));
}

namespace {

struct RestoreResult {
  RestoreReport report;
  StoredDefinitions stored;
  std::vector<RuntimeMapFacts> facts;
  std::vector<LoopDevice> bound_loops;
  StartResult versions;
  std::vector<KernelMap> maps;
};

std::string describe(const QuarantinedFile& file) {
  return file.file.string() + ": " + file.reason +
         (file.moved_to.empty() ? " (could not be moved aside)"
                                : " (moved to " + file.moved_to.string() + ")");
}

}  // namespace

void Engine::restore_pass(bool at_start, Completion<Done> done) {
  // Every stored map is locked: an operation on one of them (a remove in flight) finishes first,
  // and the pass works on the definitions as that operation left them.
  std::vector<std::string> names;
  for (const auto& [name, definition] : definitions_)
    names.push_back(name);
  names.push_back(kLoopsLock);
  operations_.run(
      std::move(names), [this, at_start, done = std::move(done)](OperationQueue::Ticket ticket) {
        // Later passes work on the main thread's copy, only on what is not running (a device
        // event must not cost a look at every stored map), minus maps deactivated until the
        // next boot and loops that are not waiting for their file.
        std::vector<MapDefinition> maps;
        for (const auto& [name, definition] : definitions_) {
          const auto facts = facts_.find(definition.uuid);
          const MapRecord* record = catalog_.find(name);
          const bool running = record != nullptr && record->uuid == definition.uuid &&
                               record->device != DeviceNumber{};
          if (!running && (facts == facts_.end() || !facts->second.deactivated))
            maps.push_back(definition);
        }
        std::vector<LoopDefinition> loops;
        for (const LoopDefinition& loop : loop_definitions_) {
          const bool bound = std::any_of(loops_.begin(), loops_.end(), [&](const auto& entry) {
            return entry.second.backing.file == loop.backing.file &&
                   entry.second.backing.offset == loop.backing.offset;
          });
          if (!bound && waiting_loop_files_.contains(loop.backing.file))
            loops.push_back(loop);
        }
        auto result = std::make_shared<RestoreResult>();
        kernel_.submit(
            [this, at_start, maps, loops, result](KernelBackend& kernel) {
              const auto began = std::chrono::steady_clock::now();
              RestoreReport& report = result->report;
              result->versions.driver_version = kernel.driver_version();
              result->versions.targets = kernel.targets();
              if (at_start) {
                result->stored = storage_.definitions->load();
                for (const QuarantinedFile& file : result->stored.quarantined)
                  report.quarantined.push_back(describe(file));
                for (const QuarantinedFile& file : result->stored.unreadable)
                  report.failed.push_back({file.file.string(), file.reason + " (left in place)"});
                const std::vector<OperationIntent> intents = storage_.runtime->load_intents();
                if (!intents.empty()) {
                  const RecoveryReport recovery = recover_operations(kernel, storage_, intents);
                  report.recovered = recovery.actions;
                  report.recovery_failures = recovery.failures;
                  result->stored.maps = storage_.definitions->load().maps;
                }
                result->facts = storage_.runtime->load_facts();
                // Maps deactivated until the next boot stay down.
                std::set<std::string> deactivated;
                for (const RuntimeMapFacts& facts : result->facts) {
                  if (facts.deactivated)
                    deactivated.insert(facts.uuid);
                }
                std::vector<MapDefinition> to_restore;
                for (const MapDefinition& definition : result->stored.maps) {
                  if (!deactivated.contains(definition.uuid))
                    to_restore.push_back(definition);
                }
                restore_loops(storage_, result->stored.loops, report);
                restore_maps(kernel, storage_, to_restore, syntax_for(result->versions.targets),
                             report);
              } else {
                restore_loops(storage_, loops, report);
                restore_maps(kernel, storage_, maps, syntax_for(result->versions.targets), report);
              }
              if (storage_.loops != nullptr)
                result->bound_loops = storage_.loops->list();
              result->maps = read_all_maps(kernel);
              report.took = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - began);
            },
            [this, at_start, result, ticket, done](std::exception_ptr error) {
              operations_.finish(ticket);
              if (error)
                return done(Outcome<Done>::failure(error));
              driver_version_ = result->versions.driver_version;
              if (targets_ != result->versions.targets) {
                targets_ = result->versions.targets;
                observer_->targets_changed();
              }
              if (at_start) {
                definitions_.clear();
                for (MapDefinition& definition : result->stored.maps)
                  definitions_[definition.name] = std::move(definition);
                loop_definitions_ = result->stored.loops;
                facts_.clear();
                for (const RuntimeMapFacts& facts : result->facts)
                  facts_[facts.uuid] = facts;
              }
              follow_loops(result->report, result->bound_loops);
              for (const std::string& name : result->report.created) {
                missing_.erase(name);
                failed_.erase(name);
              }
              for (const std::string& name : result->report.adopted) {
                missing_.erase(name);
                failed_.erase(name);
              }
              for (const RestoreReport::Waiting& waiting : result->report.pending) {
                missing_[waiting.name] = waiting.missing;
                failed_.erase(waiting.name);
              }
              for (const RestoreReport::Failure& failure : result->report.failed)
                failed_[failure.name] = failure.error;
              apply(result->maps);
              note_restore(result->report);
              done(Outcome<Done>::success({}));
            });
      });
}

void Engine::follow_loops(const RestoreReport& report, const std::vector<LoopDevice>& bound) {
  waiting_loop_files_.clear();
  for (const RestoreReport::Waiting& waiting : report.waiting_loops)
    waiting_loop_files_.insert(waiting.name);
  for (const LoopRecord& loop : report.loops) {
    if (!loops_.contains(loop.index)) {
      loops_[loop.index] = loop;
      observer_->loop_added(loop);
    }
  }
  // A loop of ours detached behind our back (losetup -d) is no longer ours.
  for (auto it = loops_.begin(); it != loops_.end();) {
    const bool still_bound = std::any_of(bound.begin(), bound.end(), [&](const LoopDevice& now) {
      return now.index == it->first && now.backing.inode == it->second.backing.inode &&
             now.backing.file_device == it->second.backing.file_device;
    });
    if (still_bound || storage_.loops == nullptr) {
      ++it;
      continue;
    }
    const LoopRecord gone = it->second;
    it = loops_.erase(it);
    observer_->loop_removed(gone);
  }
}

void Engine::note_restore(const RestoreReport& report) {
  if (report_sink_)
    report_sink_(report);
}

void Engine::request_restore() {
  if (!storage_.enabled())
    return request_rescan([](Outcome<Done>) {});
  if (restore_running_) {
    restore_again_ = true;
    return;
  }
  restore_running_ = true;
  restore_pass(false, [this](Outcome<Done>) {
    restore_running_ = false;
    if (std::exchange(restore_again_, false))
      request_restore();
  });
}

void Engine::rescan(Completion<Done> done) {
  auto result = std::make_shared<JobResult<StartResult>>();
  kernel_.submit(
      [result](KernelBackend& kernel) {
        StartResult versions;
        versions.driver_version = kernel.driver_version();
        versions.targets = kernel.targets();
        result->value = std::move(versions);
        result->maps = read_all_maps(kernel);
      },
      [this, result, done = std::move(done)](std::exception_ptr error) {
        if (error)
          return done(Outcome<Done>::failure(error));
        driver_version_ = result->value->driver_version;
        if (targets_ != result->value->targets) {
          targets_ = result->value->targets;
          observer_->targets_changed();
        }
        apply(result->maps);
        done(Outcome<Done>::success({}));
      });
}

void Engine::request_rescan(Completion<Done> done) {
  next_rescan_waiters_.push_back(std::move(done));
  if (rescan_running_)
    return;
  rescan_running_ = true;
  rescan([this, waiters = std::exchange(next_rescan_waiters_, {})](Outcome<Done> outcome) {
    rescan_running_ = false;
    for (const Completion<Done>& waiter : waiters)
      waiter(outcome);
    // Whatever was requested while this one ran may have missed what it read.
    if (!next_rescan_waiters_.empty()) {
      auto pending = std::exchange(next_rescan_waiters_, {});
      for (Completion<Done>& waiter : pending)
        request_rescan(std::move(waiter));
    }
  });
}

std::vector<DefinitionStatus> Engine::definitions() const {
  std::vector<DefinitionStatus> statuses;
  for (const auto& [name, definition] : definitions_) {
    DefinitionStatus status{.name = name, .state = "pending", .reason = ""};
    const MapRecord* record = catalog_.find(name);
    const auto facts = facts_.find(definition.uuid);
    if (facts != facts_.end() && facts->second.deactivated) {
      status.state = "inactive";
      status.reason = "removed with keep-definition; comes back at the next boot";
    } else if (record != nullptr && record->uuid == definition.uuid &&
               record->device != DeviceNumber{}) {
      status.state = "active";
    } else if (const auto failed = failed_.find(name); failed != failed_.end()) {
      status.state = "failed";
      status.reason = failed->second;
    } else if (const auto missing = missing_.find(name); missing != missing_.end()) {
      for (const std::string& device : missing->second)
        status.reason += (status.reason.empty() ? "waiting for " : ", ") + device;
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<TableProblem> Engine::validate_table(std::string_view table) const {
  return check_table(table, table_context());
}

TableContext Engine::table_context() const {
  TableContext context = syntax_for(targets_);
  context.devices = block_devices_;
  return context;
}

std::vector<TargetLine> Engine::checked_table(const std::string& operation,
                                              std::string_view text) const {
  TableContext syntax_only = table_context();
  syntax_only.devices = nullptr;
  const Table table = parse_table(text, syntax_only);
  if (block_devices_ == nullptr)
    return to_target_lines(table);
  // A device that is not there is its own error (the caller may plug it in and retry), told
  // apart from a table that is wrong in itself.
  for (const DeviceRef& device : referenced_devices(table)) {
    if (!block_devices_->resolve(device)) {
      throw Error(ErrorKind::DeviceMissing, operation + ": the table names " + device.text() +
                                                ", which is not a block device here");
    }
  }
  const std::vector<TableProblem> problems = check_table(text, table_context());
  if (!problems.empty()) {
    std::string message = operation + ": the table does not fit its devices:";
    for (const TableProblem& problem : problems)
      message += "\n" + problem.to_string();
    throw Error(ErrorKind::InvalidTable, message);
  }
  return to_target_lines(table);
}

const MapRecord& Engine::visible_map(const std::string& name) const {
  if (const MapRecord* record = catalog_.find_visible(name))
    return *record;
  if (const MapRecord* layer = catalog_.find(name)) {
    throw Error(ErrorKind::NotFound, "map '" + name + "' is the hidden snapshot layer of '" +
                                         layer->layer_of.value_or("") +
                                         "', not a map of its own; use '" +
                                         layer->layer_of.value_or("") + "' instead");
  }
  throw Error(ErrorKind::NotFound, "no map called '" + name + "'");
}

const MapRecord& Engine::owned_map(const std::string& name, std::string_view operation) const {
  const MapRecord& record = visible_map(name);
  if (!record.owned) {
    throw Error(ErrorKind::NotOwned, std::string(operation) + " " + name +
                                         ": the map belongs to another tool (UUID '" + record.uuid +
                                         "'); mapperd lists it but never changes it");
  }
  return record;
}

template <class T>
void Engine::run_operation(std::vector<std::string> names, std::function<KernelWork<T>()> check,
                           Completion<T> done) {
  operations_.run(std::move(names), [this, check = std::move(check),
                                     done = std::move(done)](OperationQueue::Ticket ticket) {
    KernelWork<T> work;
    try {
      work = check();
    } catch (...) {
      operations_.finish(ticket);
      return done(Outcome<T>::current_failure());
    }
    auto result = std::make_shared<JobResult<T>>();
    kernel_.submit(
        [this, work = std::move(work), result](KernelBackend& kernel) {
          StoreWriter store(storage_, result->delta);
          try {
            result->value = work(kernel, store);
          } catch (...) {
            result->error = std::current_exception();
          }
          // Success or not, the catalog learns what the kernel has now: a failed step may have
          // been undone only in part, and the truth is what we show.
          result->maps = read_all_maps(kernel);
        },
        [this, result, ticket, done](std::exception_ptr read_error) {
          if (is_timed_out(read_error)) {
            // The job still runs on the blocked kernel thread and owns `result` until it
            // returns; what it changes is read by the rescan that follows its late return.
            operations_.finish(ticket);
            return done(Outcome<T>::failure(read_error));
          }
          apply(result->delta);
          if (!read_error)
            apply(result->maps);
          operations_.finish(ticket);
          if (result->error)
            return done(Outcome<T>::failure(result->error));
          if (read_error)
            return done(Outcome<T>::failure(read_error));
          done(Outcome<T>::success(std::move(*result->value)));
        });
  });
}

void Engine::apply(const StoreDelta& delta) {
  for (const std::string& name : delta.removed) {
    definitions_.erase(name);
    missing_.erase(name);
    failed_.erase(name);
  }
  for (const MapDefinition& definition : delta.saved)
    definitions_[definition.name] = definition;
  for (const LoopBacking& backing : delta.loops_removed) {
    std::erase_if(loop_definitions_,
                  [&](const LoopDefinition& loop) { return loop.backing == backing; });
  }
  for (const LoopDefinition& loop : delta.loops_saved) {
    std::erase_if(loop_definitions_,
                  [&](const LoopDefinition& known) { return known.backing == loop.backing; });
    loop_definitions_.push_back(loop);
  }
  for (const std::string& uuid : delta.facts_removed)
    facts_.erase(uuid);
  for (const RuntimeMapFacts& facts : delta.facts_saved)
    facts_[facts.uuid] = facts;
}

void Engine::apply(const std::vector<KernelMap>& maps) {
  std::vector<MapRecord> observed = records_from_kernel(maps);
  mark_missing_devices(observed);
  for (MapRecord& stored : stored_records_missing_from(observed))
    observed.push_back(std::move(stored));
  const std::vector<CatalogChange> plan =
      plan_reconciliation(catalog_.all(), std::move(observed), metadata_for(catalog_, maps));
  for (const CatalogChange& change : plan) {
    const std::string& old_name =
        change.kind == CatalogChange::Kind::Renamed ? change.previous_name : change.record.name;
    std::optional<MapRecord> before;
    if (const MapRecord* known = catalog_.find(old_name))
      before = *known;
    catalog_.apply(change);
    if (change.kind == CatalogChange::Kind::Added)
      metadata_for_new_.erase(change.record.name);
    announce(change, before);
  }
}

std::map<std::string, MapMetadata> Engine::metadata_for(const Catalog&,
                                                        const std::vector<KernelMap>& maps) const {
  std::map<std::string, MapMetadata> metadata = metadata_for_new_;
  auto add = [&](const std::string& name, const std::string& uuid) {
    if (const auto stored = definitions_.find(name);
        stored != definitions_.end() && stored->second.uuid == uuid) {
      metadata[name] = MapMetadata{true, stored->second.created_by_uid};
    } else if (const auto facts = facts_.find(uuid); facts != facts_.end()) {
      metadata[name] = MapMetadata{false, facts->second.created_by_uid};
    }
  };
  for (const KernelMap& map : maps)
    add(map.info.name, map.info.uuid);
  for (const auto& [name, definition] : definitions_)
    add(name, definition.uuid);
  return metadata;
}

void Engine::mark_missing_devices(std::vector<MapRecord>& observed) const {
  if (block_devices_ == nullptr)
    return;
  for (MapRecord& record : observed) {
    if (!record.owned || record.state == MapState::Pending)
      continue;
    for (const DeviceNumber& device : record.dependencies) {
      if (!block_devices_->resolve(DeviceRef::of(device)))
        record.missing_devices.push_back(device.to_string());
    }
    if (!record.missing_devices.empty() && record.state == MapState::Active)
      record.state = MapState::Degraded;
  }
}

std::vector<MapRecord> Engine::stored_records_missing_from(
    const std::vector<MapRecord>& observed) const {
  std::vector<MapRecord> stored;
  for (const auto& [name, definition] : definitions_) {
    const bool runs = std::any_of(observed.begin(), observed.end(), [&](const MapRecord& r) {
      return r.uuid == definition.uuid || r.name == name;
    });
    const auto facts = facts_.find(definition.uuid);
    if (runs || (facts != facts_.end() && facts->second.deactivated))
      continue;
    MapRecord record;
    record.name = name;
    record.uuid = definition.uuid;
    record.table = definition.table;
    try {
      TableContext syntax = table_context();
      syntax.devices = nullptr;
      record.size = parse_table(definition.table, syntax).size();
    } catch (const Error&) {
      // Shown as size 0; the failure is in failed_.
    }
    record.state = MapState::Pending;
    record.read_only = definition.read_only;
    record.persistent = true;
    record.owned = true;
    record.created_by_uid = definition.created_by_uid;
    if (const auto missing = missing_.find(name); missing != missing_.end())
      record.missing_devices = missing->second;
    stored.push_back(std::move(record));
  }
  return stored;
}

void Engine::announce(const CatalogChange& change, const std::optional<MapRecord>& before) {
  const bool was_visible = before && !before->hidden();
  const bool is_visible = change.kind != CatalogChange::Kind::Removed && !change.record.hidden();
  if (was_visible && !is_visible)
    return observer_->map_removed(*before);
  if (!was_visible && is_visible)
    return observer_->map_added(change.record);
  if (!was_visible)
    return;
  switch (change.kind) {
    case CatalogChange::Kind::Renamed:
      observer_->map_renamed(change.previous_name, change.record);
      break;
    case CatalogChange::Kind::Changed:
      if (!change.fields.empty())
        observer_->map_changed(change.record, change.fields);
      break;
    case CatalogChange::Kind::Added:
    case CatalogChange::Kind::Removed:
      break;
  }
}

Completion<Done> Engine::then_report(const std::string& name, Completion<MapRecord> done) {
  return [this, name, done = std::move(done)](Outcome<Done> outcome) {
    // Consumed when the map appeared; a failed create must not leave it for a later map of that
    // name made by another tool.
    metadata_for_new_.erase(name);
    if (!outcome.ok())
      return done(Outcome<MapRecord>::failure(outcome.error()));
    const MapRecord* record = catalog_.find_visible(name);
    if (record == nullptr) {
      return done(Outcome<MapRecord>::failure(std::make_exception_ptr(Error(
          ErrorKind::Failed, "map '" + name + "' vanished right after the operation succeeded"))));
    }
    done(Outcome<MapRecord>::success(*record));
  };
}

void Engine::create_map(CreateMapRequest request, Completion<MapRecord> done) {
  const std::string name = request.name;
  auto check = [this, request = std::move(request)]() -> KernelWork<Done> {
    const std::string what = "create " + request.name;
    validate_map_name(request.name);
    if (catalog_.find(request.name) != nullptr || definitions_.contains(request.name)) {
      throw Error(ErrorKind::AlreadyExists,
                  what + ": a map of that name exists" +
                      (catalog_.find(request.name) == nullptr ? " (stored, not running; see "
                                                                "'mapperctl definitions')"
                                                              : ""));
    }
    if (request.wait_for_devices && !request.persistent) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": wait-for-devices needs a persistent map (only a stored map can wait)");
    }
    if (request.wait_for_devices && !storage_.enabled()) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": wait-for-devices needs mapperd's definition store, which is off");
    }
    CreateRequest kernel_request;
    kernel_request.name = request.name;
    kernel_request.uuid = owned_uuid(request.uuid);
    for (const auto& [other, record] : catalog_.all()) {
      if (record.uuid == kernel_request.uuid) {
        throw Error(ErrorKind::AlreadyExists,
                    what + ": map '" + other + "' already has UUID '" + record.uuid + "'");
      }
    }
    TableContext syntax = table_context();
    syntax.devices = nullptr;
    bool devices_missing = false;
    if (request.wait_for_devices) {
      const Table table = parse_table(request.table, syntax);
      std::vector<std::string> missing;
      for (const DeviceRef& device : referenced_devices(table)) {
        if (!block_devices_ || !block_devices_->resolve(device))
          missing.push_back(device.text());
      }
      devices_missing = !missing.empty();
      // What MissingDevices and definitions() say until a restore pass looks again.
      if (devices_missing)
        missing_[request.name] = std::move(missing);
    }
    if (!devices_missing)
      kernel_request.table = checked_table(what, request.table);
    kernel_request.read_only = request.read_only;
    metadata_for_new_[request.name] = MapMetadata{request.persistent, request.caller_uid};
    MapDefinition definition{.name = request.name,
                             .uuid = kernel_request.uuid,
                             .table = request.table,
                             .read_only = request.read_only,
                             .created_by_uid = request.caller_uid,
                             .devices = {}};
    return [kernel_request, definition, syntax, devices_missing, persistent = request.persistent](
               KernelBackend& kernel, StoreWriter& store) mutable {
      if (persistent && store.enabled()) {
        definition.devices = identify_devices(parse_table(definition.table, syntax),
                                              store.storage(), devices_missing);
      }
      if (devices_missing) {
        // Stored only: the map waits for its devices (request_restore() makes it).
        store.save(definition);
        return Done{};
      }
      OperationIntent intent{.id = "",
                             .kind = std::string(kCreateIntent),
                             .maps = {definition.name},
                             .to_save = {},
                             .to_remove = {}};
      if (persistent)
        intent.to_save.push_back(definition);
      IntentScope scope(store.storage(), intent);
      kernel.create(kernel_request);
      try {
        if (persistent)
          store.save(definition);
        else
          store.save_facts(RuntimeMapFacts{.uuid = definition.uuid,
                                           .persistent = false,
                                           .created_by_uid = definition.created_by_uid});
      } catch (...) {
        // Nothing is half-kept: a map that could not be stored is not left running.
        kernel.remove(definition.name);
        throw;
      }
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), then_report(name, std::move(done)));
}

void Engine::create_snapshot(CreateSnapshotRequest request, Completion<MapRecord> done) {
  const std::string name = request.name;
  const std::string layer = layer_name(request.origin);
  auto check = [this, request = std::move(request), layer]() -> KernelWork<Done> {
    const std::string what = "snapshot " + request.origin + " as " + request.name;
    validate_map_name(request.name);
    const MapRecord& origin = owned_map(request.origin, "snapshot");
    require_running(origin, "snapshot");
    if (origin.origin) {
      throw Error(ErrorKind::InvalidArgument, what + ": '" + request.origin +
                                                  "' is itself a snapshot of '" + *origin.origin +
                                                  "'; snapshot the origin instead");
    }
    if (!origin.real_layer && !origin.snapshots.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": '" + request.origin +
                      "' is a snapshot-origin written by hand; add snapshots to it with CreateMap");
    }
    if (origin.state == MapState::Suspended) {
      throw Error(ErrorKind::Busy, what + ": the origin is suspended; resume it first");
    }
    if (catalog_.find(request.name) != nullptr) {
      throw Error(ErrorKind::AlreadyExists, what + ": a map called '" + request.name + "' exists");
    }
    if (!origin.real_layer) {
      if (layer.size() > kMaxNameBytes) {
        throw Error(ErrorKind::InvalidName,
                    what + ": the origin's snapshot layer would be called '" + layer + "', " +
                        std::to_string(layer.size()) + " bytes, past the limit of " +
                        std::to_string(kMaxNameBytes) + "; rename the origin first");
      }
      if (catalog_.find(layer) != nullptr) {
        throw Error(ErrorKind::AlreadyExists, what +
                                                  ": the origin's snapshot layer needs the name '" +
                                                  layer + "', which another map has");
      }
    }
    std::string why;
    const auto cow = DeviceRef::parse(request.cow_device, &why);
    if (!cow)
      throw Error(ErrorKind::InvalidArgument, what + ": COW device: " + why);
    const std::uint64_t chunk = request.chunk_size.count();
    if (chunk == 0 || (chunk & (chunk - 1)) != 0 || chunk > kMaxSnapshotChunkSectors) {
      throw Error(ErrorKind::InvalidArgument, what + ": chunk size " + std::to_string(chunk) +
                                                  " is not a power of two between 1 and " +
                                                  std::to_string(kMaxSnapshotChunkSectors) +
                                                  " sectors");
    }
    SnapshotSteps steps;
    steps.origin = request.origin;
    steps.real_layer = layer;
    steps.real_layer_exists = origin.real_layer.has_value();
    // LVM's convention: the layer's UUID is its origin's plus "-real", so it stays ours.
    steps.real_layer_uuid = origin.uuid + "-real";
    if (!steps.real_layer_exists)
      validate_uuid(steps.real_layer_uuid);
    steps.snapshot = request.name;
    steps.snapshot_uuid = owned_uuid("");
    steps.cow = *cow;
    steps.store = request.persistent ? SnapshotStore::Persistent : SnapshotStore::Transient;
    steps.chunk_size = request.chunk_size;
    // A transient COW does not survive a reboot, so neither can the snapshot; nor can a
    // snapshot of an origin that is not stored.
    const bool stored = request.persistent && definitions_.contains(request.origin);
    metadata_for_new_[request.name] = MapMetadata{stored, request.caller_uid};
    OperationIntent intent{.id = "",
                           .kind = std::string(stored ? kSnapshotIntent : kTransientSnapshotIntent),
                           .maps = {steps.origin, steps.real_layer, steps.snapshot},
                           .to_save = {},
                           .to_remove = {}};
    if (!steps.real_layer_exists)
      intent.to_remove.push_back(steps.real_layer);
    return [steps, intent, stored, uid = request.caller_uid, origin_uid = origin.created_by_uid,
            zero = zero_device_start_](KernelBackend& kernel, StoreWriter& store) {
      IntentScope scope(store.storage(), intent);
      create_snapshot_layers(kernel, steps, zero);
      if (!stored) {
        store.save_facts(RuntimeMapFacts{
            .uuid = steps.snapshot_uuid, .persistent = false, .created_by_uid = uid});
        return Done{};
      }
      // The three maps as they run now; the origin's table names its layer by the layer's UUID.
      for (const auto& [name, owner] :
           {std::pair{steps.real_layer, origin_uid}, std::pair{steps.origin, origin_uid},
            std::pair{steps.snapshot, uid}}) {
        if (store.enabled()) {
          if (const auto definition = define_from_kernel(kernel, store.storage(), name, owner))
            store.save(*definition);
        }
      }
      return Done{};
    };
  };
  run_operation<Done>({request.origin, name, layer}, std::move(check),
                      then_report(name, std::move(done)));
}

void Engine::remove_map(RemoveMapRequest request, Completion<Done> done) {
  const std::string name = request.name;
  // The names a removal may touch are known only from the catalog; lock the map and, through
  // it, whatever it relates to when the check runs (relations change only under these locks).
  std::vector<std::string> names{name};
  if (const MapRecord* record = catalog_.find_visible(name)) {
    if (record->origin) {
      names.push_back(*record->origin);
      names.push_back(layer_name(*record->origin));
    }
    if (record->real_layer)
      names.push_back(*record->real_layer);
  }
  auto check = [this, request = std::move(request)]() -> KernelWork<Done> {
    const std::string& name = request.name;
    const MapRecord& record = owned_map(name, "remove");
    if (record.state == MapState::Pending && record.device == DeviceNumber{}) {
      // Stored, never made: removing it is dropping its definition.
      if (request.keep_definition) {
        throw Error(ErrorKind::InvalidArgument,
                    "remove " + name +
                        ": it is not running, so there is nothing to deactivate; "
                        "without keep-definition its definition is dropped");
      }
      return [name](KernelBackend&, StoreWriter& store) {
        store.remove(name);
        return Done{};
      };
    }
    if (!record.snapshots.empty()) {
      throw Error(ErrorKind::Busy, "remove " + name + ": it is the origin of snapshot(s) " +
                                       join(record.snapshots) + "; remove them first");
    }
    const bool stored = definitions_.contains(name);
    if (request.keep_definition && !stored) {
      throw Error(ErrorKind::InvalidArgument,
                  "remove " + name + ": keep-definition asks to keep a stored definition, and '" +
                      name + "' is not persistent");
    }
    RemovalSteps steps;
    steps.name = name;
    steps.options = request.kernel;
    OperationIntent intent{.id = "",
                           .kind = std::string(kRemoveIntent),
                           .maps = {name},
                           .to_save = {},
                           .to_remove = {}};
    if (!request.keep_definition)
      intent.to_remove.push_back(name);
    if (record.origin) {
      const MapRecord* origin = catalog_.find(*record.origin);
      if (origin && origin->real_layer && origin->snapshots == std::vector<std::string>{name}) {
        steps.fold_origin = origin->name;
        steps.fold_layer = origin->real_layer;
        intent.maps.push_back(*origin->real_layer);
        intent.to_remove.push_back(*origin->real_layer);
        if (const auto stored_origin = definitions_.find(origin->name);
            stored_origin != definitions_.end()) {
          intent.maps.push_back(origin->name);
          intent.to_save.push_back(stored_origin->second);
        }
      }
    }
    if (record.real_layer) {
      steps.layer_to_remove = record.real_layer;
      intent.maps.push_back(*record.real_layer);
      intent.to_remove.push_back(*record.real_layer);
    }
    return [steps, intent, uuid = record.uuid, keep = request.keep_definition](
               KernelBackend& kernel, StoreWriter& store) {
      IntentScope scope(store.storage(), intent);
      remove_with_layers(kernel, steps);
      for (const std::string& gone : intent.to_remove)
        store.remove(gone);
      for (const MapDefinition& folded : intent.to_save) {
        if (store.enabled()) {
          if (const auto now =
                  define_from_kernel(kernel, store.storage(), folded.name, folded.created_by_uid))
            store.save(*now);
        }
      }
      if (keep)
        store.save_facts(RuntimeMapFacts{.uuid = uuid, .persistent = true, .deactivated = true});
      else
        store.remove_facts(uuid);
      return Done{};
    };
  };
  run_operation<Done>(std::move(names), std::move(check), std::move(done));
}

void Engine::suspend_map(std::string name, bool noflush, Completion<Done> done) {
  auto check = [this, name, noflush]() -> KernelWork<Done> {
    require_running(owned_map(name, "suspend"), "suspend");
    return [name, noflush](KernelBackend& kernel, StoreWriter&) {
      kernel.suspend(name, noflush);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::resume_map(std::string name, Completion<Done> done) {
  auto check = [this, name]() -> KernelWork<Done> {
    require_running(owned_map(name, "resume"), "resume");
    return [name](KernelBackend& kernel, StoreWriter&) {
      kernel.resume(name);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::reload_map(std::string name, std::string table, Completion<Done> done) {
  auto check = [this, name, table = std::move(table)]() -> KernelWork<Done> {
    const MapRecord& record = owned_map(name, "reload");
    require_running(record, "reload");
    if (record.real_layer || !record.snapshots.empty()) {
      throw Error(ErrorKind::Busy, "reload " + name + ": its table carries snapshot(s) " +
                                       join(record.snapshots) + "; remove them first");
    }
    std::vector<TargetLine> lines = checked_table("reload " + name, table);
    std::optional<MapDefinition> definition;
    if (const auto stored = definitions_.find(name); stored != definitions_.end()) {
      definition = stored->second;
      definition->table = table;
    }
    TableContext syntax = table_context();
    syntax.devices = nullptr;
    return [name, lines = std::move(lines), definition, syntax](KernelBackend& kernel,
                                                                StoreWriter& store) mutable {
      OperationIntent intent{.id = "",
                             .kind = std::string(kReloadIntent),
                             .maps = {name},
                             .to_save = {},
                             .to_remove = {}};
      if (definition && store.enabled()) {
        definition->devices =
            identify_devices(parse_table(definition->table, syntax), store.storage(), false);
        intent.to_save.push_back(*definition);
      }
      IntentScope scope(store.storage(), intent);
      kernel.reload(name, lines);
      if (definition)
        store.save(*definition);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::rename_map(std::string name, std::string new_name, Completion<MapRecord> done) {
  std::vector<std::string> names{name, new_name, layer_name(name), layer_name(new_name)};
  auto check = [this, name, new_name]() -> KernelWork<Done> {
    const std::string what = "rename " + name + " to " + new_name;
    const MapRecord& record = owned_map(name, "rename");
    require_running(record, "rename");
    validate_map_name(new_name);
    if (catalog_.find(new_name) != nullptr || definitions_.contains(new_name)) {
      throw Error(ErrorKind::AlreadyExists, what + ": a map of that name exists");
    }
    if (record.real_layer) {
      const std::string new_layer = layer_name(new_name);
      if (new_layer.size() > kMaxNameBytes) {
        throw Error(ErrorKind::InvalidName, what + ": its snapshot layer would be called '" +
                                                new_layer + "', past the limit of " +
                                                std::to_string(kMaxNameBytes) + " bytes");
      }
      if (catalog_.find(new_layer) != nullptr) {
        throw Error(ErrorKind::AlreadyExists, what + ": its snapshot layer needs the name '" +
                                                  new_layer + "', which is taken");
      }
    }
    OperationIntent intent{.id = "",
                           .kind = std::string(kRenameIntent),
                           .maps = {name, new_name},
                           .to_save = {},
                           .to_remove = {}};
    for (const auto& [from, to] :
         {std::pair{name, new_name}, std::pair{layer_name(name), layer_name(new_name)}}) {
      if (const auto stored = definitions_.find(from); stored != definitions_.end()) {
        MapDefinition renamed = stored->second;
        renamed.name = to;
        intent.to_save.push_back(renamed);
        intent.to_remove.push_back(from);
      }
    }
    return [name, new_name, layer = record.real_layer, intent](KernelBackend& kernel,
                                                               StoreWriter& store) {
      IntentScope scope(store.storage(), intent);
      rename_with_layer(kernel, name, new_name, layer);
      for (std::size_t i = 0; i < intent.to_save.size(); ++i)
        store.rename(intent.to_remove[i], intent.to_save[i]);
      return Done{};
    };
  };
  run_operation<Done>(std::move(names), std::move(check), then_report(new_name, std::move(done)));
}

void Engine::send_message(std::string name, Sectors sector, std::string message,
                          Completion<std::string> done) {
  auto check = [this, name, sector, message = std::move(message)]() -> KernelWork<std::string> {
    if (message.size() > kMaxMessageBytes) {
      throw Error(ErrorKind::InvalidArgument,
                  "message " + name + ": the message is " + std::to_string(message.size()) +
                      " bytes; the limit is " + std::to_string(kMaxMessageBytes));
    }
    const MapRecord& record = owned_map(name, "message");
    require_running(record, "message");
    if (sector >= record.size) {
      throw Error(ErrorKind::InvalidArgument, "message " + name + ": sector " + to_string(sector) +
                                                  " is past the map's end (" +
                                                  to_string(record.size) + " sectors)");
    }
    return [name, sector, message](KernelBackend& kernel, StoreWriter&) {
      return kernel.message(name, sector, message);
    };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

void Engine::read_status(std::string name, Completion<std::string> done) {
  auto check = [this, name]() -> KernelWork<std::string> {
    visible_map(name);
    return [name](KernelBackend& kernel, StoreWriter&) {
      return format_status_lines(kernel.status(name));
    };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

namespace {

LoopRecord record_of(const LoopDevice& loop, const AttachLoopRequest& request) {
  return LoopRecord{.index = loop.index,
                    .device = loop.number,
                    .backing = loop.backing,
                    .persistent = request.persistent,
                    .created_by_uid = request.caller_uid};
}

// udev opens a loop device for a moment after every bind (blkid probing), and the driver calls
// that "in use": a detach right after an attach would be refused. Held by a map or a mount, a
// loop stays refused after these tries.
void detach_when_udev_lets_go(LoopDevices& loops, std::uint32_t index) {
  for (int attempt = 0;; ++attempt) {
    try {
      return loops.detach(index);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Busy || attempt == 20)
        throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

LoopSettings settings_of(const AttachLoopRequest& request) {
  return LoopSettings{
      .offset = request.offset, .size_limit = request.size_limit, .read_only = request.read_only};
}

}  // namespace

void Engine::attach_loop(int fd, AttachLoopRequest request, Completion<LoopRecord> done) {
  // Owned from here on: closed on every path, after the kernel took its own reference.
  auto file = std::shared_ptr<int>(new int(fd), [](int* owned) {
    if (*owned >= 0)
      ::close(*owned);
    delete owned;
  });
  attach_loop_with(
      "attach a loop device",
      [file](LoopDevices& loops, const LoopSettings& settings) {
        return loops.attach(*file, settings);
      },
      request, std::move(done));
}

void Engine::attach_loop_file(std::string path, AttachLoopRequest request,
                              Completion<LoopRecord> done) {
  attach_loop_with(
      "attach " + path,
      [path](LoopDevices& loops, const LoopSettings& settings) {
        return loops.attach_file(path, settings);
      },
      request, std::move(done));
}

void Engine::attach_loop_with(std::string what,
                              std::function<LoopDevice(LoopDevices&, const LoopSettings&)> attach,
                              AttachLoopRequest request, Completion<LoopRecord> done) {
  auto check = [this, what, attach = std::move(attach), request]() -> KernelWork<LoopRecord> {
    if (storage_.loops == nullptr)
      throw Error(ErrorKind::Failed, what + ": loop devices are not available to mapperd");
    return [attach, request](KernelBackend&, StoreWriter& store) {
      const LoopDevice loop = attach(*store.storage().loops, settings_of(request));
      if (request.persistent) {
        try {
          store.save_loop(LoopDefinition{loop.backing});
        } catch (...) {
          store.storage().loops->detach(loop.index);
          throw;
        }
      }
      return record_of(loop, request);
    };
  };
  run_operation<LoopRecord>({kLoopsLock}, std::move(check),
                            [this, done = std::move(done)](Outcome<LoopRecord> outcome) {
                              if (outcome.ok()) {
                                const LoopRecord& loop = outcome.value();
                                loops_[loop.index] = loop;
                                observer_->loop_added(loop);
                              }
                              done(std::move(outcome));
                            });
}

void Engine::detach_loop(std::uint32_t index, bool keep_definition, Completion<Done> done) {
  auto check = [this, index, keep_definition]() -> KernelWork<Done> {
    const std::string what = "detach /dev/loop" + std::to_string(index);
    const auto loop = loops_.find(index);
    if (loop == loops_.end()) {
      throw Error(ErrorKind::NotFound,
                  what +
                      ": mapperd did not attach it (see 'mapperctl loop ls'); loops other "
                      "tools attached are theirs to detach");
    }
    std::vector<std::string> users;
    for (const auto& [name, record] : catalog_.all()) {
      if (std::find(record.dependencies.begin(), record.dependencies.end(), loop->second.device) !=
          record.dependencies.end())
        users.push_back(name);
    }
    if (!users.empty()) {
      throw Error(ErrorKind::Busy, what + ": map(s) " + join(users) + " use it; remove them first");
    }
    if (keep_definition && !loop->second.persistent) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": keep-definition keeps a stored loop, and this one is not persistent");
    }
    return [index, keep_definition, backing = loop->second.backing](KernelBackend&,
                                                                    StoreWriter& store) {
      detach_when_udev_lets_go(*store.storage().loops, index);
      if (!keep_definition)
        store.remove_loop(backing);
      return Done{};
    };
  };
  run_operation<Done>({kLoopsLock}, std::move(check),
                      [this, index, done = std::move(done)](Outcome<Done> outcome) {
                        if (outcome.ok()) {
                          if (const auto loop = loops_.find(index); loop != loops_.end()) {
                            const LoopRecord gone = loop->second;
                            loops_.erase(loop);
                            observer_->loop_removed(gone);
                          }
                        }
                        done(std::move(outcome));
                      });
}

}  // namespace mapperd
