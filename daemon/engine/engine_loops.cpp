// Loop devices: attach (a descriptor, or a file mapperd opens), detach, and the loops a restore
// pass bound or found gone.

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "comma_list.h"
#include "engine.h"
#include "interfaces/loop_devices.h"
#include "loop_detach.h"
#include "model/boot_lifetime.h"
#include "model/error.h"

namespace mapperd {
namespace {

LoopRecord record_of(const LoopDevice& loop, const AttachLoopRequest& request) {
  return LoopRecord{.index = loop.index,
                    .device = loop.number,
                    .backing = loop.backing,
                    .persistent = request.persistent,
                    .created_by_uid = request.caller_uid,
                    .warnings = loop_boot_warnings(loop.backing.file, request.persistent)};
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
      throw Error(ErrorKind::Busy,
                  what + ": map(s) " + comma_list(users) + " use it; remove them first");
    }
    if (keep_definition && !loop->second.persistent) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": keep-definition keeps a stored loop, and this one is not persistent");
    }
    return [index, keep_definition, backing = loop->second.backing](KernelBackend&,
                                                                    StoreWriter& store) {
      detach_when_udev_lets_go(*store.storage().loops, store.storage().udev, index);
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

}  // namespace mapperd
