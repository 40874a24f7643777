// COW files: a snapshot asked for with a size gets a sparse file mapperd makes (CowFiles) behind
// a loop device of its own; the file grows when its policy says so, and goes when its snapshot
// goes. A file belongs to the snapshot whose UUID names it, so nothing else records the tie.

#include <algorithm>
#include <memory>
#include <utility>

#include "comma_list.h"
#include "engine.h"
#include "interfaces/cow_files.h"
#include "loop_detach.h"
#include "model/error.h"
#include "model/names.h"

namespace mapperd {
namespace {

constexpr std::uint64_t kPageBytes = 4096;

std::uint64_t round_up(std::uint64_t bytes, std::uint64_t unit) {
  return (bytes + unit - 1) / unit * unit;
}

// What a release job did: the loops it detached (and whose files it deleted), and what failed.
struct Released {
  std::vector<std::uint32_t> loops;
  std::vector<std::string> failures;
};

}  // namespace

void Engine::create_snapshot_on_cow_file(CreateSnapshotRequest request,
                                         Completion<MapRecord> done) {
  if (request.uuid.empty())
    request.uuid = owned_uuid("");
  auto check = [this, request]() -> KernelWork<LoopRecord> {
    const std::string what = "snapshot " + request.origin + " as " + request.name;
    CowFiles* files = storage_.cow_files;
    if (files == nullptr || storage_.loops == nullptr) {
      throw Error(ErrorKind::Failed,
                  what + ": mapperd has no directory for COW files here; give a COW device");
    }
    if (!request.cow_device.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": give a COW device or a COW size (cow-size, cow-percent), not both");
    }
    // What the snapshot's own check would refuse, refused before a file is made for it.
    validate_map_name(request.name);
    if (catalog_.find(request.name) != nullptr)
      throw Error(ErrorKind::AlreadyExists, what + ": a map called '" + request.name + "' exists");
    if (const auto problem = policy_problem(request.policy))
      throw Error(ErrorKind::InvalidArgument, what + ": " + *problem);
    const MapRecord& origin = running_map(request.origin, "snapshot");
    std::uint64_t bytes = request.cow_file->bytes;
    if (bytes == 0) {
      const unsigned percent = request.cow_file->percent_of_origin;
      if (percent == 0 || percent > 100) {
        throw Error(ErrorKind::InvalidArgument, what + ": cow-percent " + std::to_string(percent) +
                                                    " is not between 1 and 100");
      }
      bytes = origin.size.count() * kSectorBytes / 100 * percent;
    }
    const std::uint64_t chunk = request.chunk_size.count() * kSectorBytes;
    // The persistent store's header and first metadata area take a chunk each.
    if (chunk == 0 || bytes < 3 * chunk) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": a COW of " + std::to_string(bytes) +
                      " bytes holds no data in chunks of " + std::to_string(chunk) +
                      " bytes (a header and a metadata chunk come first); "
                      "give at least " +
                      std::to_string(3 * chunk));
    }
    bytes = round_up(bytes, std::max(chunk, kPageBytes));
    // The loop comes back at boot only for a snapshot that does.
    const bool stored = request.persistent && definitions_.contains(request.origin);
    cow_files_in_setup_.insert(request.uuid);
    cow_owners_seen_.insert(request.uuid);
    return [files, bytes, stored, uuid = request.uuid, origin_device = origin.device,
            uid = request.caller_uid](KernelBackend&, StoreWriter& store) {
      const std::string path = files->make(uuid, bytes, origin_device);
      LoopDevices& loops = *store.storage().loops;
      try {
        const LoopDevice loop = loops.attach_file(path, LoopSettings{});
        try {
          if (stored)
            store.save_loop(LoopDefinition{loop.backing});
        } catch (...) {
          detach_when_udev_lets_go(loops, store.storage().udev, loop.index);
          throw;
        }
        return LoopRecord{.index = loop.index,
                          .device = loop.number,
                          .backing = loop.backing,
                          .persistent = stored,
                          .created_by_uid = uid,
                          .warnings = {}};
      } catch (...) {
        files->remove(path);
        throw;
      }
    };
  };
  const std::string uuid = request.uuid;
  run_operation<LoopRecord>({kLoopsLock, request.origin}, std::move(check),
                            [this, uuid, request = std::move(request),
                             done = std::move(done)](Outcome<LoopRecord> outcome) mutable {
                              if (!outcome.ok()) {
                                cow_files_in_setup_.erase(uuid);
                                return done(Outcome<MapRecord>::failure(outcome.error()));
                              }
                              const LoopRecord& loop = outcome.value();
                              loops_[loop.index] = loop;
                              observer_->loop_added(loop);
                              request.cow_device = "/dev/loop" + std::to_string(loop.index);
                              request.cow_file.reset();
                              create_snapshot(
                                  std::move(request),
                                  [this, uuid, done = std::move(done)](Outcome<MapRecord> made) {
                                    // A snapshot that was not made leaves its file unused: released
                                    // now.
                                    cow_files_in_setup_.erase(uuid);
                                    if (!made.ok())
                                      release_unused_cow_files();
                                    done(std::move(made));
                                  });
                            });
}

const LoopRecord* Engine::cow_loop_of(const MapRecord& snapshot) const {
  if (storage_.cow_files == nullptr || !snapshot.origin)
    return nullptr;
  const std::string path = storage_.cow_files->path_for(snapshot.uuid);
  for (const auto& [index, loop] : loops_) {
    if (loop.backing.file == path)
      return &loop;
  }
  return nullptr;
}

std::string Engine::cow_file_of(const MapRecord& snapshot) const {
  const LoopRecord* loop = cow_loop_of(snapshot);
  return loop != nullptr ? loop->backing.file : std::string();
}

void Engine::release_unused_cow_files() {
  CowFiles* files = storage_.cow_files;
  if (files == nullptr || storage_.loops == nullptr)
    return;
  // What a file's snapshot is, if anything still has it: a map (running or pending), a stored
  // definition, a snapshot being made.
  auto in_use = [this](const std::string& uuid) {
    if (cow_files_in_setup_.contains(uuid))
      return true;
    const auto& maps = catalog_.all();
    return std::any_of(maps.begin(), maps.end(),
                       [&](const auto& entry) { return entry.second.uuid == uuid; }) ||
           std::any_of(definitions_.begin(), definitions_.end(),
                       [&](const auto& entry) { return entry.second.uuid == uuid; });
  };
  // A map that runs on it, whatever its name: an origin merging its snapshot's COW.
  auto mapped = [this](DeviceNumber device) {
    const auto& maps = catalog_.all();
    return std::any_of(maps.begin(), maps.end(), [&](const auto& entry) {
      const std::vector<DeviceNumber>& used = entry.second.dependencies;
      return std::find(used.begin(), used.end(), device) != used.end();
    });
  };
  const bool state_complete = stored_state_complete_.value_or(false);
  std::vector<LoopRecord> unused;
  for (const auto& [index, loop] : loops_) {
    const auto owner = files->owner_of(loop.backing.file);
    if (!owner || mapped(loop.device))
      continue;
    if (in_use(*owner)) {
      cow_owners_seen_.insert(*owner);
      continue;
    }
    if (!cow_loops_releasing_.contains(index) &&
        (state_complete || cow_owners_seen_.contains(*owner)))
      unused.push_back(loop);
  }
  if (unused.empty())
    return;
  for (const LoopRecord& loop : unused)
    cow_loops_releasing_.insert(loop.index);
  auto released = std::make_shared<Released>();
  auto check = [files, unused, released]() -> KernelWork<Done> {
    return [files, unused, released](KernelBackend&, StoreWriter& store) {
      for (const LoopRecord& loop : unused) {
        try {
          detach_when_udev_lets_go(*store.storage().loops, store.storage().udev, loop.index);
          released->loops.push_back(loop.index);
          if (loop.persistent)
            store.remove_loop(loop.backing);
          files->remove(loop.backing.file);
        } catch (const std::exception& e) {
          released->failures.push_back(e.what());
        }
      }
      return Done{};
    };
  };
  run_operation<Done>({kLoopsLock}, std::move(check),
                      [this, unused, released](Outcome<Done> outcome) {
                        for (const LoopRecord& loop : unused)
                          cow_loops_releasing_.erase(loop.index);
                        for (const std::uint32_t index : released->loops) {
                          if (const auto loop = loops_.find(index); loop != loops_.end()) {
                            const LoopRecord gone = loop->second;
                            loops_.erase(loop);
                            observer_->loop_removed(gone);
                          }
                        }
                        if (!outcome.ok())
                          released->failures.push_back(describe(outcome.error()));
                        for (const std::string& failure : released->failures)
                          observer_->background_failure("", "releasing a COW file: " + failure);
                      });
}

void Engine::extend_cow_file(const MapRecord& snapshot) {
  const LoopRecord* loop = cow_loop_of(snapshot);
  if (loop == nullptr || !snapshot.snapshot_policy.auto_extend ||
      cow_files_growing_.contains(snapshot.name))
    return;
  cow_files_growing_.insert(snapshot.name);
  auto sizes = std::make_shared<std::pair<std::uint64_t, std::uint64_t>>();
  auto check = [this, name = snapshot.name, sizes]() -> KernelWork<Done> {
    const MapRecord* now = catalog_.find(name);
    const LoopRecord* loop = now != nullptr ? cow_loop_of(*now) : nullptr;
    if (loop == nullptr)
      throw Error(ErrorKind::NotFound, "the snapshot or its COW file went before it could grow");
    return
        [files = storage_.cow_files, index = loop->index, path = loop->backing.file,
         percent = now->snapshot_policy.extend_percent, sizes](KernelBackend&, StoreWriter& store) {
          const std::uint64_t before = files->size_of(path);
          const std::uint64_t after = round_up(before + before / 100 * percent, kPageBytes);
          files->grow(path, after);
          store.storage().loops->refresh_size(index);
          *sizes = {before, after};
          return Done{};
        };
  };
  // The re-read after it (the snapshot's name is locked) announces the new total.
  run_operation<Done>({snapshot.name, kLoopsLock}, std::move(check),
                      [this, name = snapshot.name, sizes](Outcome<Done> outcome) {
                        cow_files_growing_.erase(name);
                        const MapRecord* now = catalog_.find(name);
                        if (!outcome.ok()) {
                          return observer_->background_failure(
                              name, "growing the COW file of snapshot " + name +
                                        " failed: " + describe(outcome.error()));
                        }
                        if (now != nullptr)
                          observer_->snapshot_cow_grown(*now, sizes->first, sizes->second);
                      });
}

}  // namespace mapperd
