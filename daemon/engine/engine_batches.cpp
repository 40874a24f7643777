// Batches: many maps made or removed by one operation, one kernel job, one re-read of the maps
// it names and so one burst of announcements before it completes. Each map goes through the
// same check as create_map() / remove_map() (engine_maps.cpp).

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "comma_list.h"
#include "engine.h"
#include "model/error.h"
#include "recovery.h"

namespace mapperd {
namespace {

std::string describe(const BatchFailure& failure) {
  return "map #" + std::to_string(failure.index + 1) + " '" + failure.name + "': " + failure.reason;
}

// One error for the maps of a batch that failed: each named with its place in the batch and its
// reason, then what became of the rest. Its kind is theirs when they agree.
Error batch_error(std::string_view method, const std::vector<BatchFailure>& failed,
                  const std::string& outcome) {
  std::string message = std::string(method) + ": ";
  for (std::size_t i = 0; i < failed.size(); ++i)
    message += (i == 0 ? "" : "; ") + describe(failed[i]);
  const bool one_kind = std::all_of(failed.begin(), failed.end(), [&](const BatchFailure& f) {
    return f.kind == failed.front().kind;
  });
  return Error(one_kind && !failed.empty() ? failed.front().kind : ErrorKind::Failed,
               message + "; " + outcome);
}

BatchFailure failure_of(std::size_t index, const std::string& name, const Error& error) {
  return BatchFailure{.index = index, .name = name, .reason = error.what(), .kind = error.kind()};
}

// Takes away a map this batch made (and its definition or runtime facts), behind an intent so a
// crash halfway is finished at the next start.
void unmake(KernelBackend& kernel, StoreWriter& store, const std::string& name) {
  const std::optional<MapInfo> info = kernel.info(name);
  IntentScope scope(store.storage(), OperationIntent{.id = "",
                                                     .kind = std::string(kRemoveIntent),
                                                     .maps = {name},
                                                     .to_save = {},
                                                     .to_remove = {name}});
  if (info)
    kernel.remove(name);
  store.remove(name);
  if (info)
    store.remove_facts(info->uuid);
}

}  // namespace

void Engine::create_maps(std::vector<CreateMapRequest> requests, bool partial,
                         Completion<CreatedMaps> done) {
  std::vector<std::string> names;
  for (const CreateMapRequest& request : requests)
    names.push_back(request.name);
  auto check = [this, requests, partial]() -> Plan<BatchMade> {
    if (requests.empty())
      throw Error(ErrorKind::InvalidArgument, "CreateMaps: the batch names no map");
    std::vector<std::size_t> indexes;
    std::vector<KernelWork<Done>> works;
    std::vector<std::function<void()>> commits;
    std::vector<BatchFailure> failed;
    std::set<std::string> names_seen;
    std::set<std::string> uuids_seen;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const CreateMapRequest& request = requests[i];
      try {
        if (!names_seen.insert(request.name).second) {
          throw Error(ErrorKind::AlreadyExists,
                      "create " + request.name + ": the batch names it more than once");
        }
        if (!request.uuid.empty() && !uuids_seen.insert(request.uuid).second) {
          throw Error(ErrorKind::AlreadyExists, "create " + request.name + ": UUID '" +
                                                    request.uuid +
                                                    "' is given to another map of the batch");
        }
        Plan<Done> plan = check_create(request);
        indexes.push_back(i);
        works.push_back(std::move(plan.work));
        commits.push_back(std::move(plan.commit));
      } catch (const Error& e) {
        failed.push_back(failure_of(i, request.name, e));
        if (!partial)
          throw batch_error("CreateMaps", failed, "nothing was made");
      }
    }
    if (works.empty())
      throw batch_error("CreateMaps", failed, "nothing was made");
    auto work = [indexes, works, failed, partial, requests](KernelBackend& kernel,
                                                            StoreWriter& store) -> BatchMade {
      BatchMade batch{.made = {}, .failed = failed};
      std::optional<BatchFailure> stop;
      // One udev wait for the whole batch (KernelBackend::begin_udev_batch()).
      kernel.begin_udev_batch();
      try {
        for (std::size_t k = 0; k < works.size(); ++k) {
          const std::string& name = requests[indexes[k]].name;
          try {
            works[k](kernel, store);
            batch.made.push_back(indexes[k]);
          } catch (const Error& e) {
            if (!partial) {
              stop = failure_of(indexes[k], name, e);
              break;
            }
            batch.failed.push_back(failure_of(indexes[k], name, e));
          }
        }
      } catch (...) {
        kernel.end_udev_batch();
        throw;
      }
      kernel.end_udev_batch();
      if (stop) {
        // All or nothing: what this call made goes again, newest first.
        for (auto made = batch.made.rbegin(); made != batch.made.rend(); ++made)
          unmake(kernel, store, requests[*made].name);
        throw batch_error("CreateMaps", {*stop},
                          batch.made.empty() ? std::string("nothing was made")
                                             : "the " + std::to_string(batch.made.size()) +
                                                   " map(s) made before it were removed again");
      }
      if (batch.made.empty())
        throw batch_error("CreateMaps", batch.failed, "nothing was made");
      std::sort(batch.failed.begin(), batch.failed.end(),
                [](const BatchFailure& a, const BatchFailure& b) { return a.index < b.index; });
      return batch;
    };
    auto commit = [commits = std::move(commits)]() {
      for (const std::function<void()>& step : commits) {
        if (step)
          step();
      }
    };
    return Plan<BatchMade>(std::move(work), std::move(commit));
  };
  auto report = [this, names, done = std::move(done)](Outcome<BatchMade> outcome) {
    // As then_report(): what a create leaves for its map is consumed once the map appeared.
    for (const std::string& name : names)
      metadata_for_new_.erase(name);
    if (!outcome.ok())
      return done(Outcome<CreatedMaps>::failure(outcome.error()));
    CreatedMaps created{.made = {}, .failed = outcome.value().failed};
    for (std::size_t index : outcome.value().made) {
      const MapRecord* record = catalog_.find_visible(names[index]);
      if (record == nullptr) {
        return done(Outcome<CreatedMaps>::failure(std::make_exception_ptr(
            Error(ErrorKind::Failed,
                  "map '" + names[index] + "' vanished right after the batch made it"))));
      }
      created.made.push_back(*record);
    }
    done(Outcome<CreatedMaps>::success(std::move(created)));
  };
  run_operation<BatchMade>(std::move(names), std::move(check), std::move(report));
}

std::vector<std::string> Engine::removal_order(const std::vector<std::string>& names) const {
  // A map uses another when its table names the other's device, or when it is a snapshot of it.
  auto uses = [this](const std::string& user, const std::string& used) {
    const MapRecord* a = catalog_.find(user);
    const MapRecord* b = catalog_.find(used);
    if (a == nullptr || b == nullptr)
      return false;
    if (a->origin == b->name)
      return true;
    return b->device != DeviceNumber{} && std::find(a->dependencies.begin(), a->dependencies.end(),
                                                    b->device) != a->dependencies.end();
  };
  std::vector<std::string> order;
  std::set<std::string> placed;
  // Depth first: every map of the batch that uses `name` is placed before it.
  std::function<void(const std::string&, std::set<std::string>&)> place =
      [&](const std::string& name, std::set<std::string>& path) {
        if (placed.contains(name) || !path.insert(name).second)
          return;
        for (const std::string& other : names) {
          if (other != name && uses(other, name))
            place(other, path);
        }
        if (placed.insert(name).second)
          order.push_back(name);
      };
  for (const std::string& name : names) {
    std::set<std::string> path;
    place(name, path);
  }
  return order;
}

void Engine::remove_maps(std::vector<std::string> names, RemoveMapRequest options,
                         Completion<Done> done) {
  if (options.with_snapshots)
    names = with_their_snapshots(std::move(names));
  std::vector<std::string> locks;
  for (const std::string& name : names) {
    for (std::string& lock : removal_locks(name))
      locks.push_back(std::move(lock));
  }
  auto check = [this, names, options]() -> KernelWork<Done> {
    if (names.empty())
      throw Error(ErrorKind::InvalidArgument, "RemoveMaps: the batch names no map");
    const std::set<std::string> distinct(names.begin(), names.end());
    if (distinct.size() != names.size())
      throw Error(ErrorKind::InvalidArgument, "RemoveMaps: the batch names a map more than once");
    const std::vector<std::string> order = removal_order(names);
    std::vector<KernelWork<Done>> works;
    std::set<std::string> removed_before;
    for (const std::string& name : order) {
      RemoveMapRequest request = options;
      request.name = name;
      const auto index = std::find(names.begin(), names.end(), name) - names.begin();
      try {
        works.push_back(check_remove(request, removed_before));
      } catch (const Error& e) {
        throw batch_error("RemoveMaps", {failure_of(static_cast<std::size_t>(index), name, e)},
                          "nothing was removed");
      }
      removed_before.insert(name);
    }
    return [works, order](KernelBackend& kernel, StoreWriter& store) {
      for (std::size_t k = 0; k < works.size(); ++k) {
        try {
          works[k](kernel, store);
        } catch (const Error& e) {
          // A removal cannot be undone: say what is gone and what is left.
          const std::vector<std::string> gone(order.begin(),
                                              order.begin() + static_cast<std::ptrdiff_t>(k));
          const std::vector<std::string> left(order.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                                              order.end());
          throw Error(e.kind(), "RemoveMaps: " + order[k] + ": " + e.what() +
                                    "; removed: " + (gone.empty() ? "none" : comma_list(gone)) +
                                    "; not tried: " + (left.empty() ? "none" : comma_list(left)));
        }
      }
      return Done{};
    };
  };
  run_operation<Done>(std::move(locks), std::move(check), std::move(done));
}

}  // namespace mapperd
