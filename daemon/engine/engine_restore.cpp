// Restore and rescan scheduling: the start, the restore passes that bind stored loops, make
// stored maps when their devices appear and put running ones back on devices that came back,
// rescans of the kernel, and what the stored definitions are doing (definitions()).

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <utility>

#include "engine.h"
#include "interfaces/loop_devices.h"
#include "recovery.h"
#include "store/definition_store.h"
#include "table_checks.h"

namespace mapperd {
namespace {

// What the kernel said about itself.
struct KernelVersions {
  std::string driver_version;
  std::vector<TargetVersion> targets;
};

struct RestoreResult {
  RestoreReport report;
  StoredDefinitions stored;
  std::vector<RuntimeMapFacts> facts;
  std::vector<LoopDevice> bound_loops;
  KernelVersions versions;
  KernelReading reading;
};

struct RescanResult {
  KernelVersions versions;
  KernelReading reading;
};

std::string describe(const QuarantinedFile& file) {
  return file.file.string() + ": " + file.reason +
         (file.moved_to.empty() ? " (could not be moved aside)"
                                : " (moved to " + file.moved_to.string() + ")");
}

}  // namespace

void Engine::start(Completion<Done> done) {
  Completion<Done> then_merges = [this, done = std::move(done)](Outcome<Done> outcome) {
    if (!outcome.ok())
      return done(std::move(outcome));
    resume_merges(done);
  };
  if (!storage_.enabled())
    return rescan(std::move(then_merges));
  restore_pass(true, std::move(then_merges));
}

void Engine::restore_pass(bool at_start, Completion<Done> done) {
  // Every stored map is locked: an operation on one of them (a remove in flight) finishes first,
  // and the pass works on the definitions as that operation left them.
  std::vector<std::string> names;
  for (const auto& [name, definition] : definitions_)
    names.push_back(name);
  names.push_back(kLoopsLock);
  operations_.run(std::move(names), [this, at_start,
                                     done = std::move(done)](OperationQueue::Ticket ticket) {
    // Later passes work on the main thread's copy, only on what is not running (a device
    // event must not cost a look at every stored map), minus maps deactivated until the
    // next boot and loops that are not waiting for their file.
    std::vector<MapDefinition> maps;
    for (const auto& [name, definition] : definitions_) {
      const auto facts = facts_.find(definition.uuid);
      const MapRecord* record = catalog_.find(name);
      const bool running =
          record != nullptr && record->uuid == definition.uuid && record->device != DeviceNumber{};
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
    const std::vector<LostDevices> repairs = maps_to_put_back();
    auto result = std::make_shared<RestoreResult>();
    kernel_.submit(
        [this, at_start, maps, loops, repairs, result](KernelBackend& kernel) {
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
            restore_maps(kernel, storage_, to_restore, table_context(result->versions.targets),
                         report);
            // A COW file's snapshot may be a definition that could not be read: none is
            // deleted then.
            if (result->stored.quarantined.empty() && result->stored.unreadable.empty())
              sweep_cow_files(kernel, storage_, result->stored.maps, report);
          } else {
            restore_loops(storage_, loops, report);
            restore_maps(kernel, storage_, maps, table_context(result->versions.targets), report);
            put_back_on_devices(kernel, storage_, repairs, table_context(result->versions.targets),
                                report);
          }
          if (storage_.loops != nullptr)
            result->bound_loops = storage_.loops->list();
          // At start every map (adoption); later only the stored maps this pass tried, which
          // are the only ones it can have made.
          if (at_start) {
            result->reading = read_everything(kernel);
          } else {
            std::set<std::string> tried;
            for (const MapDefinition& definition : maps)
              tried.insert(definition.name);
            for (const LostDevices& repair : repairs)
              tried.insert(repair.definition.name);
            result->reading = read_names(kernel, std::move(tried));
          }
          report.took = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - began);
        },
        [this, at_start, result, ticket, done](std::exception_ptr error) {
          operations_.finish(ticket);
          if (error)
            return done(Outcome<Done>::failure(error));
          learn_versions(result->versions.driver_version, result->versions.targets);
          if (at_start) {
            stored_state_complete_ =
                result->stored.quarantined.empty() && result->stored.unreadable.empty();
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
          for (const std::string& name : result->report.repaired)
            lost_devices_.erase(name);
          // A pass follows a device appearing or going: every map's devices are looked up again.
          apply(result->reading, true);
          note_restore(result->report);
          done(Outcome<Done>::success({}));
        });
  });
}

void Engine::note_restore(const RestoreReport& report) {
  if (report_sink_)
    report_sink_(report);
}

void Engine::request_restore() {
  // Without a store nothing waits to be made: only the maps on a device that went change.
  if (!storage_.enabled())
    return request_rescan(RescanScope{false, {}, true}, [](Outcome<Done>) {});
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
  rescan(std::nullopt, false, std::move(done));
}

void Engine::rescan(const std::optional<std::set<std::string>>& names, bool recheck_devices,
                    Completion<Done> done) {
  auto result = std::make_shared<RescanResult>();
  kernel_.submit(
      [result, names](KernelBackend& kernel) {
        result->versions.driver_version = kernel.driver_version();
        result->versions.targets = kernel.targets();
        result->reading = names ? read_names(kernel, *names) : read_everything(kernel);
      },
      [this, result, recheck_devices, done = std::move(done)](std::exception_ptr error) {
        if (error)
          return done(Outcome<Done>::failure(error));
        learn_versions(result->versions.driver_version, result->versions.targets);
        apply(result->reading, recheck_devices);
        done(Outcome<Done>::success({}));
      });
}

std::optional<std::set<std::string>> Engine::names_to_reread(const RescanScope& scope) const {
  if (scope.everything)
    return std::nullopt;
  std::set<std::string> names;
  for (const MapEvent& event : scope.maps) {
    bool known = false;
    if (!event.name.empty()) {
      names.insert(event.name);
      known = true;
    }
    // The name the map had: a rename's event carries only the new one.
    if (event.device != DeviceNumber{}) {
      for (const auto& [name, map] : kernel_maps_) {
        if (map.info.device == event.device) {
          names.insert(name);
          known = true;
        }
      }
    }
    if (!known)
      return std::nullopt;
  }
  return names;
}

void Engine::learn_versions(const std::string& driver_version,
                            const std::vector<TargetVersion>& targets) {
  driver_version_ = driver_version;
  if (targets_ != targets) {
    targets_ = targets;
    observer_->targets_changed();
  }
}

void Engine::request_rescan(RescanScope scope, Completion<Done> done) {
  next_rescan_scope_.add(scope);
  next_rescan_waiters_.push_back(std::move(done));
  if (!rescan_running_)
    run_next_rescan();
}

void Engine::run_next_rescan() {
  rescan_running_ = true;
  const RescanScope scope = std::exchange(next_rescan_scope_, {});
  rescan(names_to_reread(scope), scope.devices_changed,
         [this, waiters = std::exchange(next_rescan_waiters_, {})](Outcome<Done> outcome) {
           rescan_running_ = false;
           for (const Completion<Done>& waiter : waiters)
             waiter(outcome);
           // Whatever was requested while this one ran may have missed what it read.
           if (!rescan_running_ && !next_rescan_waiters_.empty())
             run_next_rescan();
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

}  // namespace mapperd
