#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"
#include "model/block_devices.h"
#include "model/error.h"

namespace mapperd {

// An in-memory KernelBackend for unit tests of the layers above the kernel seam (never for the
// seam itself). It keeps maps with a live and an inactive table, suspension, open counts and
// event counters, over block devices the test registers, and refuses what the kernel refuses with
// the same error kinds and the same words (kernel/kernel_errors.h). The contract tests
// (kernel_backend_contract.h) hold it and DmBackend to the same behaviour.
//
// Tables are checked with the model, a little more strictly than the kernel does. Maps are block
// devices too (major 253, as the kernel's first dynamic major), so tables can stack them.
// Not thread-safe, like the real one.
class FakeKernelBackend final : public KernelBackend {
 public:
  static constexpr std::uint32_t kMapMajor = 253;

  FakeKernelBackend();
  ~FakeKernelBackend() override;
  FakeKernelBackend(const FakeKernelBackend&) = delete;
  FakeKernelBackend& operator=(const FakeKernelBackend&) = delete;

  // --- the test's hands ---

  // A block device that tables may name by number or, when given, by `path`.
  void add_block_device(DeviceNumber number, Sectors size, std::string path = {});
  // The device goes away, as an unplugged disk does (maps over it stay, as in the kernel).
  void remove_block_device(DeviceNumber number);
  // The registered devices and the maps, as the model's table checks see block devices.
  const BlockDevices& block_devices() const;

  // As if `count` openers (a mount, a dd) held the map. Dropping to 0 completes a deferred
  // remove. Throws Error(NotFound) for an unknown map.
  void set_open_count(std::string_view name, std::int32_t count);
  // The next call of `operation` throws `error` before changing anything. `operation` is the
  // name the errors use: "create", "load", "clear", "suspend", "resume", "remove", "rename",
  // "message", "wait". Steps inside create() and reload() count: fail_next("resume", ...) makes
  // a reload's resume fail, and its rollback runs.
  void fail_next(std::string operation, Error error);
  // What the snapshot (or snapshot-merge) over COW device `cow` reports as used: "<allocated>/
  // <size> <metadata>" from now on. A merge is complete when allocated equals metadata; until
  // this is called both are 0.
  void set_cow_usage(DeviceNumber cow, Sectors allocated, Sectors metadata);
  // The snapshot over COW device `cow` reports "Invalid" from now on (its COW overflowed).
  void invalidate_cow(DeviceNumber cow) { invalid_cows_.insert(cow); }
  // A target event (a snapshot filling up, a path failing): raises the map's event counter.
  void raise_event(std::string_view name);
  // Runs at each call that changes something ("create twoasone", as calls() records it), before
  // it takes effect, on the kernel thread: a test holds a call there to make it outlive its
  // deadline.
  std::function<void(const std::string& call)> on_step;
  // Every call that changed or tried to change something, in order: "create twoasone",
  // "load twoasone", "suspend twoasone", ...
  const std::vector<std::string>& calls() const { return calls_; }
  // Every call that read something, in order: "list", "info twoasone", "table twoasone",
  // "deps twoasone", "status snap": what an engine asks the kernel after an operation.
  const std::vector<std::string>& reads() const { return reads_; }

  // --- KernelBackend ---

  std::string driver_version() override;
  std::vector<TargetVersion> targets() override;
  std::vector<MapListing> list() override;
  std::optional<MapInfo> info(std::string_view name) override;
  std::vector<TargetLine> table(std::string_view name) override;
  std::vector<TargetLine> status(std::string_view name, bool noflush = false) override;
  std::vector<DeviceNumber> dependencies(std::string_view name) override;
  MapInfo create(const CreateRequest& request) override;
  void load(std::string_view name, const std::vector<TargetLine>& table) override;
  void clear_inactive(std::string_view name) override;
  void reload(std::string_view name, const std::vector<TargetLine>& table) override;
  void suspend(std::string_view name, bool noflush = false) override;
  void resume(std::string_view name) override;
  void remove(std::string_view name, const RemoveOptions& options = {}) override;
  void rename(std::string_view name, std::string_view new_name) override;
  // Answers "@stats_create ..." with the new region's id, as the kernel does; every other
  // message is refused as by a target without a message handler.
  std::string message(std::string_view name, Sectors sector, std::string_view text) override;
  // Returns at once when the counter differs from `event_number`. The fake cannot block: when it
  // would, it throws Error(Failed) telling the test to raise_event() first.
  std::uint32_t wait_event(std::string_view name, std::uint32_t event_number) override;

 private:
  struct Device {
    Sectors size;
    std::string path;
  };
  struct Map {
    std::string uuid;
    DeviceNumber device;
    std::vector<TargetLine> live;
    std::optional<std::vector<TargetLine>> inactive;
    bool suspended = false;
    bool read_only = false;
    bool deferred_remove = false;
    std::int32_t open_count = 0;
    std::uint32_t event_number = 0;
    std::uint32_t stats_regions = 0;
  };
  class Devices;

  Map& existing(std::string_view operation, std::string_view name);
  void step(std::string_view operation, std::string_view name);
  // DeviceMissing for a table naming a device that does not exist, checked before anything is
  // made or loaded (as DmBackend does).
  void require_devices(std::string_view operation, std::string_view name,
                       const std::vector<TargetLine>& table) const;
  // The table as the kernel would hold it (device paths as numbers), or the kernel's refusal.
  std::vector<TargetLine> checked(std::string_view operation, std::string_view name,
                                  const std::vector<TargetLine>& table) const;
  void resume_map(std::string_view operation, std::string_view name);
  void erase(std::string_view name);
  // info() without logging it: the fake's own use.
  std::optional<MapInfo> info_of(std::string_view name) const;

  std::map<DeviceNumber, Device> devices_;
  // By COW device: allocated and metadata sectors.
  std::map<DeviceNumber, std::pair<Sectors, Sectors>> cow_usage_;
  std::set<DeviceNumber> invalid_cows_;
  std::map<std::string, Map, std::less<>> maps_;
  std::map<std::string, Error, std::less<>> failures_;
  std::vector<std::string> calls_;
  std::vector<std::string> reads_;
  std::uint32_t next_minor_ = 0;
  std::unique_ptr<Devices> block_devices_;
};

}  // namespace mapperd
