// Merges: a persistent snapshot folded back into its origin (merge_steps.h), as a job the engine
// follows from the origin's status while it runs, and deferred while the maps are open.

#include <memory>
#include <utility>

#include "comma_list.h"
#include "definition_steps.h"
#include "engine.h"
#include "kernel_report.h"
#include "merge_steps.h"
#include "model/error.h"
#include "recovery.h"
#include "table_checks.h"

namespace mapperd {
namespace {

enum class MergeBegun { Started, Deferred };

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown failure";
  }
}

}  // namespace

void Engine::require_no_job(const std::string& name, std::string_view operation) const {
  if (const JobRecord* job = jobs_.running_on(name)) {
    throw Error(ErrorKind::Busy, std::string(operation) + " " + name + ": job " +
                                     std::to_string(job->id) + " (" + job->operation + " of " +
                                     comma_list(job->objects) +
                                     ") runs on it; wait for it to end (mapperctl jobs)");
  }
}

void Engine::schedule_while_alive(std::chrono::milliseconds delay, std::function<void()> then) {
  schedule_(delay, [alive = std::weak_ptr(alive_), then = std::move(then)] {
    if (!alive.expired())
      then();
  });
}

void Engine::merge_snapshot(MergeRequest request, Completion<MergeStarted> done) {
  std::vector<std::string> names{request.snapshot};
  if (const MapRecord* record = catalog_.find_visible(request.snapshot); record && record->origin) {
    names.push_back(*record->origin);
    names.push_back(snapshot_layer_name(*record->origin));
  }
  auto job_id = std::make_shared<std::uint32_t>(0);
  auto begun = std::make_shared<MergeBegun>(MergeBegun::Deferred);
  // The snapshot's usage right before the merge: what there is to merge.
  auto usage = std::make_shared<std::optional<SnapshotUsage>>();
  auto check = [this, request, job_id, begun, usage]() -> Plan<Done> {
    const std::string what = "merge " + request.snapshot;
    const MapRecord& snapshot = running_map(request.snapshot, "merge");
    if (!snapshot.origin) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": '" + request.snapshot + "' is not a snapshot; merge takes one");
    }
    require_no_job(request.snapshot, "merge");
    require_no_job(*snapshot.origin, "merge");
    const Table table = parse_table(snapshot.table, table_context(targets_));
    const SnapshotTarget* target = table.segments.size() == 1
                                       ? std::get_if<SnapshotTarget>(&table.segments[0].target)
                                       : nullptr;
    if (target == nullptr || target->merge) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": its table is not one snapshot line, so mapperd does not merge it");
    }
    if (target->store == SnapshotStore::Transient) {
      throw Error(ErrorKind::InvalidArgument,
                  what +
                      ": it is a transient (N) snapshot; the kernel merges only persistent "
                      "ones (P, PO)");
    }
    if (snapshot.state == MapState::Failed) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": the kernel marked the snapshot invalid; there is nothing to merge");
    }
    const MapRecord& origin = owned_map(*snapshot.origin, "merge");
    if (!origin.real_layer) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": its origin '" + origin.name +
                      "' is a snapshot-origin written by hand; mapperd merges only snapshots "
                      "made by CreateSnapshot");
    }
    if (origin.snapshots != std::vector<std::string>{request.snapshot}) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": its origin '" + origin.name + "' has other snapshots too (" +
                      comma_list(origin.snapshots) +
                      "); a merge folds the origin's layer back, so remove them first");
    }
    if (origin.state == MapState::Suspended || snapshot.state == MapState::Suspended) {
      throw Error(ErrorKind::Busy, what + ": the origin or the snapshot is suspended; resume it");
    }
    MergeSteps steps{.origin = origin.name,
                     .layer = *origin.real_layer,
                     .snapshot = snapshot.name,
                     .snapshot_uuid = snapshot.uuid,
                     .snapshot_read_only = snapshot.read_only};
    std::optional<MapDefinition> definition;
    if (const auto stored = definitions_.find(snapshot.name); stored != definitions_.end())
      definition = stored->second;
    const bool origin_stored = definitions_.contains(origin.name);
    auto work = [steps, definition, origin_stored, now = request.now, what, begun, usage,
                 origin_uid = origin.created_by_uid](KernelBackend& kernel, StoreWriter& store) {
      if (merge_maps_open(kernel, steps)) {
        if (now) {
          throw Error(ErrorKind::Busy, what +
                                           ": the origin or the snapshot is open (mounted?); "
                                           "close both and merge again");
        }
        if (!definition || !store.enabled()) {
          throw Error(ErrorKind::Busy,
                      what +
                          ": the origin or the snapshot is open (mounted?), and the snapshot "
                          "is not stored, so the merge cannot wait for its next activation; "
                          "close both and merge again");
        }
        MapDefinition pending = *definition;
        pending.merge_pending = true;
        if (pending != *definition)
          store.save(pending);
        *begun = MergeBegun::Deferred;
        return Done{};
      }
      OperationIntent intent{.id = "",
                             .kind = std::string(kMergeIntent),
                             .maps = {steps.origin, steps.layer, steps.snapshot},
                             .to_save = {},
                             .to_remove = {steps.snapshot}};
      if (definition)
        intent.to_save.push_back(*definition);
      for (const TargetLine& line : kernel.status(steps.snapshot)) {
        if (line.type == "snapshot")
          *usage = parse_snapshot_usage(line.params);
      }
      IntentScope scope(store.storage(), intent);
      start_merge(kernel, steps);
      if (definition)
        store.remove(steps.snapshot);
      if (origin_stored && store.enabled()) {
        if (const auto now_running =
                define_from_kernel(kernel, store.storage(), steps.origin, origin_uid))
          store.save(*now_running);
      }
      *begun = MergeBegun::Started;
      return Done{};
    };
    auto commit = [this, begun, job_id, usage, origin = origin.name, name = snapshot.name,
                   uid = request.caller_uid]() {
      if (*begun == MergeBegun::Started)
        *job_id = add_merge_job(origin, name, uid, *usage);
    };
    return Plan<Done>(std::move(work), std::move(commit));
  };
  run_operation<Done>(std::move(names), std::move(check),
                      [job_id, begun, done = std::move(done)](Outcome<Done> outcome) {
                        if (!outcome.ok())
                          return done(Outcome<MergeStarted>::failure(outcome.error()));
                        MergeStarted started;
                        if (*begun == MergeBegun::Started)
                          started.job = *job_id;
                        done(Outcome<MergeStarted>::success(started));
                      });
}

std::uint32_t Engine::add_merge_job(const std::string& origin, const std::string& snapshot,
                                    std::uint32_t uid, const std::optional<SnapshotUsage>& usage) {
  JobRecord job;
  job.operation = "merge";
  if (!snapshot.empty())
    job.objects.push_back(snapshot);
  job.objects.push_back(origin);
  job.origin = origin;
  job.snapshot = snapshot;
  job.started_by_uid = uid;
  job.start_time_us = now_us();
  // The snapshot's last usage is what there is to merge; a job adopted mid-merge starts from
  // its first sample instead.
  if (usage && !usage->invalid)
    note_merge_sample(job, *usage, job.start_time_us);
  const std::uint32_t id = jobs_.add(std::move(job));
  observer_->job_added(*jobs_.find(id));
  // Without timers (mapperd --restore) the merge runs on in the kernel, and the daemon that
  // starts next adopts it.
  if (schedule_)
    poll_merge(id);
  return id;
}

void Engine::poll_merge(std::uint32_t id) {
  const JobRecord* job = jobs_.find(id);
  if (job == nullptr || job->finished)
    return;
  auto sample = std::make_shared<std::optional<SnapshotUsage>>();
  kernel_.submit(
      "read the merge status of " + job->origin,
      [origin = job->origin, sample](KernelBackend& kernel) {
        *sample = merge_status(kernel, origin);
      },
      [this, id, sample, alive = std::weak_ptr(alive_)](std::exception_ptr error) {
        if (alive.expired())
          return;
        JobRecord* job = jobs_.find(id);
        if (job == nullptr || job->finished)
          return;
        if (error)
          return end_job(id, false, "reading the merge's status failed: " + message_of(error));
        if (!*sample) {
          return end_job(id, false,
                         "the origin's table is no longer a merge (changed behind mapperd's back)");
        }
        if ((*sample)->invalid)
          return end_job(id, false, "the kernel marked the merge invalid");
        note_merge_sample(*job, **sample, now_us());
        observer_->job_changed(*job);
        if (merge_complete(**sample))
          return finish_merge_job(id);
        schedule_while_alive(poll_interval_, [this, id] { poll_merge(id); });
      });
}

void Engine::finish_merge_job(std::uint32_t id) {
  const JobRecord& job = *jobs_.find(id);
  const std::string origin = job.origin;
  const std::string layer = snapshot_layer_name(origin);
  const std::string what =
      job.snapshot.empty() ? "merged into " + origin : "merged " + job.snapshot + " into " + origin;
  auto check = [this, id, origin, layer]() -> Plan<Done> {
    std::optional<std::uint32_t> origin_uid;
    if (const auto stored = definitions_.find(origin); stored != definitions_.end())
      origin_uid = stored->second.created_by_uid;
    auto work = [origin, layer, origin_uid](KernelBackend& kernel, StoreWriter& store) {
      OperationIntent intent{.id = "",
                             .kind = std::string(kMergeFinishIntent),
                             .maps = {origin, layer},
                             .to_save = {},
                             .to_remove = {layer}};
      IntentScope scope(store.storage(), intent);
      finish_merge(kernel, origin, layer);
      store.remove(layer);
      if (origin_uid && store.enabled()) {
        if (const auto now = define_from_kernel(kernel, store.storage(), origin, *origin_uid))
          store.save(*now);
      }
      return Done{};
    };
    // Folded back: the job is over before the maps are unlocked, so an operation that waited
    // for them (a remove right after the plain table showed) is not refused as Busy by it.
    auto commit = [this, id] {
      if (JobRecord* job = jobs_.find(id))
        job->finished = true;
    };
    return Plan<Done>(std::move(work), std::move(commit));
  };
  run_operation<Done>({origin, layer}, std::move(check), [this, id, what](Outcome<Done> outcome) {
    if (!outcome.ok())
      return end_job(id, false, "the merge is complete, but " + message_of(outcome.error()));
    end_job(id, true, what);
  });
}

void Engine::end_job(std::uint32_t id, bool success, std::string message) {
  JobRecord* job = jobs_.find(id);
  if (job == nullptr)
    return;
  job->finished = true;
  job->success = success;
  job->message = std::move(message);
  if (success) {
    job->progress_valid = true;
    job->bytes_done = job->bytes_total;
  }
  observer_->job_completed(*job);
  auto forget = [this, id] {
    if (const JobRecord* ended = jobs_.find(id)) {
      observer_->job_removed(*ended);
      jobs_.erase(id);
    }
  };
  if (schedule_)
    schedule_while_alive(job_linger_, forget);
  else
    forget();
}

void Engine::resume_merges(Completion<Done> done) {
  // A merge the kernel runs that no job follows: mapperd was restarted mid-merge, or the merge
  // began in the early-boot restore.
  for (const auto& [name, record] : catalog_.all()) {
    if (record.owned && record.merging && jobs_.running_on(name) == nullptr)
      add_merge_job(name, "", 0, std::nullopt);
  }
  // Merges asked for while the maps were open start now if they are closed; the others stay
  // pending, and a failure keeps them pending too.
  auto pending = std::make_shared<std::vector<std::string>>();
  for (const auto& [name, definition] : definitions_) {
    const MapRecord* record = catalog_.find_visible(name);
    if (definition.merge_pending && record != nullptr && record->device != DeviceNumber{})
      pending->push_back(name);
  }
  // Each merge starts once the one before it completed; the running merge's completion holds
  // the chain, which holds itself only weakly.
  auto next = std::make_shared<std::function<void()>>();
  *next = [this, pending, weak = std::weak_ptr(next), done = std::move(done)]() {
    if (pending->empty())
      return done(Outcome<Done>::success(Done{}));
    const std::string name = pending->front();
    pending->erase(pending->begin());
    const std::uint32_t uid = definitions_.at(name).created_by_uid;
    merge_snapshot({.snapshot = name, .now = false, .caller_uid = uid},
                   [self = weak.lock()](Outcome<MergeStarted>) { (*self)(); });
  };
  (*next)();
}

}  // namespace mapperd
