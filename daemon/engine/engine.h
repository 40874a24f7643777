#pragma once
// The engine's one interface: the use cases mapperd offers (maps, batches, snapshots, merges,
// loops, restore) over the catalog, the store and the kernel thread, and the request and record
// types they take. One responsibility; its 500 lines are the use cases' contracts, each method
// with its comment. The implementation lives in its rooms (engine_*.cpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog.h"
#include "device_return.h"
#include "engine_observer.h"
#include "engine_storage.h"
#include "interfaces/loop_devices.h"
#include "jobs.h"
#include "kernel/kernel_thread.h"
#include "kernel_steps.h"
#include "loop_record.h"
#include "model/block_devices.h"
#include "model/error.h"
#include "model/table_parser.h"
#include "operation_queue.h"
#include "outcome.h"
#include "restore.h"
#include "snapshot_fill.h"
#include "store_writer.h"

namespace mapperd {

// Fields default-initialised ({}), so callers can name only what they set.
struct CreateMapRequest {
  std::string name{};
  // dmsetup table syntax; see model/table_parser.h.
  std::string table{};
  // The caller's UUID; the map's becomes "MAPPERD-" + it (a random one when empty).
  std::string uuid{};
  bool read_only = false;
  bool persistent = true;
  // Devices the table names that are not there yet do not fail the call: the map is stored
  // (it must be persistent) and stays pending until they appear.
  bool wait_for_devices = false;
  std::uint32_t caller_uid = 0;
};

struct RemoveMapRequest {
  std::string name{};
  RemoveOptions kernel{};
  // Deactivate only: the stored definition stays and the map comes back at next boot.
  bool keep_definition = false;
  // An origin's snapshots go too, first, in the same operation (as remove_maps() orders them).
  bool with_snapshots = false;
};

// A COW file mapperd makes for a snapshot: `bytes` long, or `percent_of_origin` of the origin's
// size when bytes is 0.
struct CowFileSize {
  std::uint64_t bytes = 0;
  unsigned percent_of_origin = 0;
};

struct CreateSnapshotRequest {
  std::string origin{};
  std::string name{};
  // "/dev/..." or "MAJOR:MINOR"; empty with `cow_file`.
  std::string cow_device{};
  // P (true) or N (false).
  bool persistent = true;
  // A power of two.
  Sectors chunk_size{8};
  // Instead of a COW device: a file mapperd makes, shows through a loop device and deletes with
  // the snapshot (CowFiles).
  std::optional<CowFileSize> cow_file{};
  // When its fill is announced, and whether its COW file grows.
  SnapshotPolicy policy{};
  // The snapshot's UUID; empty: a new one.
  std::string uuid{};
  std::uint32_t caller_uid = 0;
};

// One map of a batch that failed: its place in the batch (from 0), its name, and why.
struct BatchFailure {
  std::size_t index = 0;
  std::string name{};
  std::string reason{};
  ErrorKind kind = ErrorKind::Failed;
};

// What create_maps() made, in the order they were asked for, and (partial batches only) the maps
// that failed, in that order too.
struct CreatedMaps {
  std::vector<MapRecord> made{};
  std::vector<BatchFailure> failed{};
};

// A device-mapper device udev reported a change of: its name when the event carried one (empty
// otherwise; a remove may not), and its device number (0:0 when unknown).
struct MapEvent {
  std::string name{};
  DeviceNumber device{};
};

// What a rescan reads: the maps events named, or everything.
struct RescanScope {
  // Events were lost or cannot be told apart, or a kernel call returned late: read every map.
  bool everything = false;
  std::vector<MapEvent> maps{};
  // A block device came or went: every map's devices are looked up again (no kernel call).
  bool devices_changed = false;

  static RescanScope all() { return RescanScope{true, {}, false}; }
  void add(const RescanScope& other) {
    everything = everything || other.everything;
    devices_changed = devices_changed || other.devices_changed;
    maps.insert(maps.end(), other.maps.begin(), other.maps.end());
  }
};

struct MergeRequest {
  std::string snapshot{};
  // Start now or fail: Busy instead of deferring when the origin or the snapshot is open.
  bool now = false;
  std::uint32_t caller_uid = 0;
};

// How a merge request ended: a running job, or deferred (MergePending set on the snapshot).
struct MergeStarted {
  std::optional<std::uint32_t> job{};
  bool deferred() const { return !job.has_value(); }
};

// The writes completed on a block device so far (the block layer's count); nullopt when it cannot
// be read.
using WriteCounter = std::function<std::optional<std::uint64_t>(DeviceNumber)>;

// Runs `then` once, `delay` from now, on the engine's thread (the event loop's timers).
using ScheduleAfter =
    std::function<void(std::chrono::milliseconds delay, std::function<void()> then)>;

// mapperd's use cases, on the main thread. Each method checks what it can against the catalog,
// then does its kernel work as one job on the kernel thread, re-reads the maps it names (never
// every map: the cost of an operation does not grow with the maps there are), applies the
// differences to the catalog (announcing them to the observer) and only then completes. So when
// a completion runs, the catalog, and every object the observer made from it, already shows the
// result.
//
// Operations on the same map are serialized (OperationQueue): each starts once the ones before it
// on that map completed, and checks the catalog as they left it. Reads of the catalog are never
// held up by the kernel.
//
// Failures reach the completion as mapperd::Error: InvalidName, InvalidTable, InvalidArgument,
// NotFound (no such exported map), AlreadyExists, NotOwned (another tool's map: listed, never
// changed), Busy (origin with snapshots, in use), and whatever the kernel backend throws.
// No failure leaves a map suspended or half-made.
class Engine {
 public:
  // The operation-queue name every loop operation holds: loop operations run one at a time.
  static constexpr const char* kLoopsLock = "/loops";

  // While one exists on the engine's thread, the calls made are on behalf of `client` (any name
  // that tells clients apart: the bus layer gives a connection's unique name). Each client's
  // kernel work waits in a lane of its own and the lanes take turns (KernelThread), so one
  // client flooding mapperd delays another's call by about one of its own, whatever it has
  // queued. An operation keeps its client while it waits for the maps it needs.
  using ClientScope = KernelThread::LaneScope;

  // `zero_device_start` runs on the kernel thread (zeroes a new COW's first chunk);
  // `block_devices`, when given, lets table checks find missing devices and segments past a
  // device's end before the kernel sees the table.
  // `storage`, when enabled, makes maps persistent (/etc/mapperd), keeps runtime facts
  // (/run/mapperd), restores stored maps and loops and recovers operations cut short.
  Engine(KernelThread& kernel, ZeroDeviceStart zero_device_start,
         const BlockDevices* block_devices = nullptr, EngineStorage storage = {});

  // Who hears about catalog changes from now on. Set it before start(): the observer (the bus
  // layer) needs the engine to exist, so it cannot be a constructor argument.
  void set_observer(EngineObserver& observer) { observer_ = &observer; }
  // Who hears what each restore pass did (start, devices appearing): main logs it. The engine
  // itself never logs.
  void set_report_sink(std::function<void(const RestoreReport&)> sink) {
    report_sink_ = std::move(sink);
  }

  // The timer merges poll their progress with: every `poll_interval` while a merge runs, never
  // otherwise; an ended job's record stays `linger` before it goes. Without it a merge is
  // refused (Failed): nothing would follow it.
  void set_scheduler(ScheduleAfter schedule,
                     std::chrono::milliseconds poll_interval = std::chrono::seconds(1),
                     std::chrono::milliseconds linger = std::chrono::seconds(2)) {
    schedule_ = std::move(schedule);
    poll_interval_ = poll_interval;
    job_linger_ = linger;
  }

  // Follows snapshot fill (needs the scheduler): every `interval`, only while snapshots exist,
  // the snapshots whose device or origin `writes` says was written since the last look are read
  // again, so their usage is announced (MapField::Usage), with the observer's
  // snapshot_fill_crossed() at each threshold (snapshot_fill.h). An idle host costs no ioctl.
  void set_fill_watch(WriteCounter writes,
                      std::chrono::milliseconds interval = std::chrono::seconds(5));

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reconciliation at start: recovers operations a crash cut short, binds stored loops, makes
  // stored maps whose devices are there (adopting those already running), reads the driver
  // version, the targets and every map; adopts ours (never recreating anything) and lists the
  // others. Announces every exported map, pending ones included. Last, follows merges the kernel
  // runs with a job each and starts stored pending merges whose maps are closed.
  void start(Completion<Done> done);
  // A device or a filesystem appeared (or went): stored loops and pending maps are tried again,
  // and the kernel is re-read so vanished devices mark their maps degraded. Requests while one
  // runs fold into one more.
  void request_restore();
  // Re-reads every map of the kernel and applies what changed behind our back (another tool, a
  // udev event).
  void rescan(Completion<Done> done);
  // For events: rescans at once when no requested rescan runs, else once more after the running
  // one; requests arriving meanwhile share that one (their scopes joined). `done` gets the
  // outcome of the rescan that covers this request. A scope naming maps reads only those (a map
  // known only by its device number is the catalog's map of that number); one that names a
  // device no map of the catalog has and no name, or `everything`, reads every map.
  void request_rescan(Completion<Done> done) {
    request_rescan(RescanScope::all(), std::move(done));
  }
  void request_rescan(RescanScope scope, Completion<Done> done);
  // A device-mapper event fired (the kernel raises one when a snapshot is invalidated): every
  // snapshot is read again, so the observer hears of it now (snapshot_invalidated()). Completes
  // at once when there are no snapshots.
  void request_snapshot_rescan(Completion<Done> done);

  const Catalog& catalog() const { return catalog_; }
  // Both as read by start()/rescan().
  const std::string& driver_version() const { return driver_version_; }
  const std::vector<TargetVersion>& targets() const { return targets_; }

  // Every problem in `table`, against the targets the kernel lists (and the block devices, when
  // the engine has them). Changes nothing and never waits.
  std::vector<TableProblem> validate_table(std::string_view table) const;

  // Makes the map `request` describes. Completes with its record once /dev/mapper/NAME exists
  // and the map is announced. InvalidName, AlreadyExists (a map or a stored definition of that
  // name, or a map with that UUID), InvalidTable / DeviceMissing for the table (table_checks.h),
  // InvalidArgument for wait_for_devices without persistence or without the definition store.
  // A persistent map is stored; one that cannot be stored (Store) is removed again. With
  // wait_for_devices and a device missing, only the definition is stored: the record is
  // Pending, and a restore pass makes the map when its devices appear.
  void create_map(CreateMapRequest request, Completion<MapRecord> done);
  // Makes every map of `requests` in one operation: each is checked as create_map() checks it,
  // and the maps in the batch against each other (a name or a given UUID twice is
  // AlreadyExists); all are made in one kernel job sharing one udev wait, then announced
  // together before `done` runs. All or nothing unless `partial`: the first failure (of a check
  // or in the kernel) fails the call, naming the map (its place in the batch, from 1) and the
  // reason, and the maps the call had made are removed again. With `partial` the maps that
  // worked are kept and the others are listed in CreatedMaps::failed; when none worked the call
  // fails naming each. InvalidArgument for an empty batch.
  void create_maps(std::vector<CreateMapRequest> requests, bool partial,
                   Completion<CreatedMaps> done);
  // Removes every map `names` lists, as remove_map() would with `options` (its name ignored), in
  // one operation and one kernel job: a map that uses another of the batch (a snapshot its
  // origin, a map stacked on another's device) goes first, so an origin with all its snapshots
  // in the batch is removed with them. Every map is checked before anything is removed: one
  // that cannot be (NotFound, NotOwned, Busy with a snapshot left outside the batch) fails the
  // call and nothing is removed. A kernel failure stops the batch there; removals already done
  // stay done (a removal cannot be undone), and the error names what was removed and what was
  // not tried. InvalidArgument for an empty batch or a name given twice. With
  // options.with_snapshots the snapshots of every origin named join the batch.
  void remove_maps(std::vector<std::string> names, RemoveMapRequest options, Completion<Done> done);
  // Snapshots the owned, running origin (see kernel_steps.h for the sequence); completes with the
  // snapshot's record. NotFound / NotOwned / DeviceMissing (a pending origin) for the origin;
  // InvalidArgument for an origin that is itself a snapshot or a snapshot-origin written by
  // hand, a COW device that is neither "/dev/..." nor "MAJOR:MINOR", a chunk size that is not a
  // power of two within kMaxSnapshotChunkSectors; Busy for a suspended origin; InvalidName /
  // AlreadyExists for the snapshot's name or the origin's "-real" layer; InvalidArgument for an
  // unusable policy. Stored when persistent and the origin is. With `cow_file`, the COW is a
  // file mapperd makes (CowFiles) behind a loop device of its own, stored with the snapshot and
  // released when the snapshot goes; InvalidArgument for a size of 0, one too small for the
  // chunk size, or a directory whose file system lives on the origin, Failed without room.
  void create_snapshot(CreateSnapshotRequest request, Completion<MapRecord> done);
  // Removes an owned map (request.kernel: force, deferred) and its stored definition, or with
  // keep_definition only deactivates it until the next boot (InvalidArgument for a map that is
  // not stored). An origin with snapshots is Busy, naming them, unless with_snapshots, which
  // removes them first as remove_maps() would; removing an origin's last snapshot folds the
  // origin's -real layer back into it. A pending map (stored, devices
  // missing) is removed by dropping its definition (keep_definition: InvalidArgument).
  void remove_map(RemoveMapRequest request, Completion<Done> done);
  // Suspends the owned, running map `name`: in-flight I/O is flushed first (the call waits for
  // it) unless `noflush`, which leaves it queued in the target for the resume. New I/O waits
  // until resume_map(), or a reload_map(), whose table swap ends in a resume. Suspending a
  // suspended map succeeds and changes nothing (the kernel's rule). The change is announced as
  // State "suspended". NotFound for an unknown name or a hidden layer, NotOwned for another
  // tool's map, DeviceMissing for a pending map (stored, waiting for its devices: nothing runs).
  void suspend_map(std::string name, bool noflush, Completion<Done> done);
  // Resumes the owned, running map `name`, swapping in an inactive table if one was loaded
  // (mapperd leaves none: its reload swaps at once). Resuming a map that is not suspended
  // succeeds and changes nothing. Errors as suspend_map().
  void resume_map(std::string name, Completion<Done> done);
  // Replaces the table of the owned, running map `name` (load, suspend, resume: a suspended map
  // runs again); a stored map's definition takes the new table. The table is checked as
  // create_map() checks it. An origin with snapshots (or their layer) is Busy: its table is
  // the snapshots' too. NotFound / NotOwned / DeviceMissing as suspend_map().
  void reload_map(std::string name, std::string table, Completion<Done> done);
  // Renames the owned, running map `name`; a -real layer and the stored definitions are renamed
  // with it. Completes with the record under its new name. InvalidName for `new_name` (or the
  // layer's name it makes, past kMaxNameBytes), AlreadyExists when it or the layer's is taken,
  // NotFound / NotOwned / DeviceMissing as suspend_map().
  void rename_map(std::string name, std::string new_name, Completion<MapRecord> done);
  // Sends `message` to the target at `sector` of the owned, running map `name`; completes with
  // the target's reply (often empty). InvalidArgument for a message longer than kMaxMessageBytes
  // or a sector past the map's end; NotFound / NotOwned / DeviceMissing as suspend_map().
  void send_message(std::string name, Sectors sector, std::string message,
                    Completion<std::string> done);
  // Completes with the kernel's status lines; refreshes the values no event announces (open
  // count, snapshot usage) on the way. Works on other tools' maps too, read without flush (a
  // thin pool's metadata is not committed for us); NotFound for an unknown name or a hidden
  // layer. Changes nothing in the kernel.
  void read_status(std::string name, Completion<std::string> done);

  // Loop devices. attach_loop() takes a descriptor the caller opened (the engine closes it, on
  // every path); attach_loop_file() opens `path` itself (absolute, no symlink at the end). A
  // persistent loop is stored and bound again at boot; one that cannot be stored is detached
  // again. Completes with the loop's record once it is announced. Failed when mapperd has no
  // loop devices; otherwise the errors of LoopDevices::attach() (loopdev/loop_devices.h).
  void attach_loop(int fd, AttachLoopRequest request, Completion<LoopRecord> done);
  void attach_loop_file(std::string path, AttachLoopRequest request, Completion<LoopRecord> done);
  // Detaches loop `index`, first waiting (2 s at most) for udev to finish probing a loop just
  // bound (loop_detach.h), and drops its definition unless `keep_definition`, which attaches it
  // again at next boot (InvalidArgument for a loop that is not persistent). NotFound unless
  // mapperd attached it; Busy while a map uses it, or while anything else holds it.
  void detach_loop(std::uint32_t index, bool keep_definition, Completion<Done> done);
  // The loops mapperd attached, by index.
  const std::map<std::uint32_t, LoopRecord>& loops() const { return loops_; }

  // Merges the owned persistent snapshot `request.snapshot` into its origin (engine_merge.cpp).
  // When neither is open: the snapshot map goes, the origin's table becomes "snapshot-merge
  // <layer> <COW> P|PO <chunk>" (it stays usable, reading the snapshot's data at once) and a job
  // follows the merge from the origin's status; at its end the origin takes its layer's plain
  // table again and the layer goes. Completes with the job's id once the merge runs. When one
  // of them is open nothing changes but the stored snapshot's MergePending, and the merge starts
  // at its next activation (completes deferred); with `now` that is Busy instead.
  // NotFound / NotOwned / DeviceMissing as suspend_map(); InvalidArgument for a map that is not
  // a snapshot, a transient (N) snapshot, an origin with other snapshots; Busy while a job runs
  // on one of the maps; Failed without a scheduler.
  void merge_snapshot(MergeRequest request, Completion<MergeStarted> done);
  // The path of the COW file mapperd made for `snapshot`, or "" (another map, or a COW device).
  std::string cow_file_of(const MapRecord& snapshot) const;
  // Running jobs, and ended ones for a little while.
  const JobRegistry& jobs() const { return jobs_; }

  // Every stored map definition, with whether it runs and why not.
  std::vector<DefinitionStatus> definitions() const;

 private:
  template <class T>
  using KernelWork = std::function<T(KernelBackend&, StoreWriter&)>;
  // What an operation's check found: the kernel work to do and, for what the main thread must
  // learn beyond the store and the kernel (a new map's owner, its missing devices), the step that
  // commits it. Checks only look; `commit` runs on the main thread once `work` succeeded, before
  // the catalog takes in the kernel's new state.
  template <class T>
  struct Plan {
    // Not explicit: a check with nothing to commit returns its work alone.
    Plan(KernelWork<T> work, std::function<void()> commit = {})
        : work(std::move(work)), commit(std::move(commit)) {}
    KernelWork<T> work;
    std::function<void()> commit;
  };

  // Runs `check` once the operations before it on `names` completed (a failure there completes
  // `done` at once), then its work as one kernel job; takes in the store's changes and the
  // kernel's maps as the job left them, and completes `done`.
  template <class T>
  void run_operation(std::vector<std::string> names, std::function<Plan<T>()> check,
                     Completion<T> done);
  // What a batch's kernel job did: the places in the batch of the maps it made, and the failures.
  struct BatchMade {
    std::vector<std::size_t> made;
    std::vector<BatchFailure> failed;
  };
  // `names` (a batch to remove) in an order where every map comes before the maps of the batch
  // it uses.
  std::vector<std::string> removal_order(const std::vector<std::string>& names) const;
  // create_map()'s check of one request, on the catalog as it is.
  Plan<Done> check_create(const CreateMapRequest& request);
  // remove_map()'s check of one request, as if the maps `removed_before` (by the same batch,
  // earlier in the same job) were gone already.
  KernelWork<Done> check_remove(const RemoveMapRequest& request,
                                const std::set<std::string>& removed_before) const;
  // The queue names a removal of `name` holds: the map and what it relates to.
  std::vector<std::string> removal_locks(const std::string& name) const;
  // `names` and, after them, the snapshots of the origins among them that `names` leaves out.
  std::vector<std::string> with_their_snapshots(std::vector<std::string> names) const;
  // Takes `reading` into kernel_maps_ and the catalog, announcing the changes. The devices of
  // the maps read are looked up again (of every map with `recheck_all_devices`: a device came or
  // went); the other maps keep what the catalog says of theirs.
  void apply(const KernelReading& reading, bool recheck_all_devices = false);
  void take_in(const KernelReading& reading);
  // Notes the devices that vanished under running maps of ours (the catalog's missing devices),
  // and forgets maps that went or are another map now.
  void follow_lost_devices();
  // The maps a restore pass can put back on their devices: stored, running, lost devices, and
  // no snapshot in their stack (those are reloaded only through their own steps).
  std::vector<LostDevices> maps_to_put_back() const;
  void apply(const StoreDelta& delta);
  // Stored maps not in the kernel, as pending records.
  std::vector<MapRecord> stored_records_missing_from(const std::vector<MapRecord>& observed) const;
  // Marks owned maps whose dependencies vanished as degraded: looked up for the maps
  // `look_again` names, kept from the catalog for the others.
  void mark_missing_devices(std::vector<MapRecord>& observed,
                            const std::function<bool(const std::string&)>& look_again) const;
  // What the engine knows beyond the kernel, by name: definitions, runtime facts, creates in
  // flight.
  std::map<std::string, MapMetadata> metadata_for(
      const std::map<std::string, KernelMap>& maps) const;
  // The names `scope` makes a rescan read; nothing when it must read every map.
  std::optional<std::set<std::string>> names_to_reread(const RescanScope& scope) const;
  void rescan(const std::optional<std::set<std::string>>& names, bool recheck_devices,
              Completion<Done> done);
  void run_next_rescan();
  void note_restore(const RestoreReport& report);
  void attach_loop_with(std::string what,
                        std::function<LoopDevice(LoopDevices&, const LoopSettings&)> attach,
                        AttachLoopRequest request, Completion<LoopRecord> done);
  // Takes in the loops a restore pass bound and drops the ones no longer bound.
  void follow_loops(const RestoreReport& report, const std::vector<LoopDevice>& bound);
  void restore_pass(bool at_start, Completion<Done> done);
  void announce(const CatalogChange& change, const std::optional<MapRecord>& before);

  // The exported map `name`, else NotFound.
  const MapRecord& visible_map(const std::string& name) const;
  // The exported map `name` if we own it, else NotFound / NotOwned.
  const MapRecord& owned_map(const std::string& name, std::string_view operation) const;
  // owned_map(), and running: DeviceMissing for a stored map that waits for its devices.
  const MapRecord& running_map(const std::string& name, std::string_view operation) const;
  Completion<Done> then_report(const std::string& name, Completion<MapRecord> done);
  // Takes in what the kernel said about itself; announces changed targets.
  void learn_versions(const std::string& driver_version, const std::vector<TargetVersion>& targets);

  // Busy, naming the job, when a job runs on map `name`.
  void require_no_job(const std::string& name, std::string_view operation) const;
  // Error(`kind`) when one of `devices` is the map `name` or a map on top of it: `what` (the
  // operation) would make a map that sits on itself, which the kernel takes and then recurses
  // through until its stack overflows (reload A onto A, or onto B over A; a COW on the origin).
  void refuse_a_map_on_itself(const std::string& what, const std::string& name,
                              const std::vector<DeviceRef>& devices, ErrorKind kind) const;
  // A job for the merge `origin` runs (from merge_snapshot(), or found running at start).
  // `usage`, the snapshot's last, is what there is to merge.
  std::uint32_t add_merge_job(const std::string& origin, const std::string& snapshot,
                              std::uint32_t uid, const std::optional<SnapshotUsage>& usage);
  // Adopts merges found running (a restart mid-merge) and starts the stored pending ones whose
  // maps are closed, one after another; the last of start().
  void resume_merges(Completion<Done> done);
  // schedule_(), but `then` does not run once the engine is gone (a test's restarted daemon).
  void schedule_while_alive(std::chrono::milliseconds delay, std::function<void()> then);
  // create_snapshot() with a COW file: makes the file and its loop, then the snapshot on it.
  void create_snapshot_on_cow_file(CreateSnapshotRequest request, Completion<MapRecord> done);
  // The loop showing `snapshot`'s COW file, when mapperd made one for it.
  const LoopRecord* cow_loop_of(const MapRecord& snapshot) const;
  // Detaches and deletes the COW files whose snapshot is neither running nor stored (removed,
  // merged, or never made); after every reading, when there is one.
  void release_unused_cow_files();
  // Grows `snapshot`'s COW file by its policy's extend-percent (auto-extend, at a threshold).
  void extend_cow_file(const MapRecord& snapshot);
  // The running snapshots, as a rescan names them.
  RescanScope snapshots_scope() const;
  // Schedules the next look at snapshot fill when snapshots exist and none is scheduled.
  void watch_fill_while_snapshots_exist();
  void look_at_snapshot_fill();
  // Tells the observer of a snapshot's threshold crossed or its invalidation, from a reading.
  void announce_fill(const MapRecord& record, const std::optional<MapRecord>& before);
  void poll_merge(std::uint32_t id);
  void finish_merge_job(std::uint32_t id);
  void end_job(std::uint32_t id, bool success, std::string message);

  KernelThread& kernel_;
  // Never null: announcements before set_observer() go nowhere.
  EngineObserver* observer_;
  ZeroDeviceStart zero_device_start_;
  const BlockDevices* block_devices_;

  Catalog catalog_;
  // The last reading of every map, by name: what the catalog was made from. A targeted re-read
  // replaces the entries it read.
  std::map<std::string, KernelMap> kernel_maps_;
  OperationQueue operations_;
  // What create operations in flight asked for that the kernel does not keep, by map name.
  std::map<std::string, MapMetadata> metadata_for_new_;
  std::map<std::uint32_t, LoopRecord> loops_;
  EngineStorage storage_;
  std::function<void(const RestoreReport&)> report_sink_;
  // The main thread's copy of the definitions (the files are written on the kernel thread).
  std::map<std::string, MapDefinition> definitions_;
  std::vector<LoopDefinition> loop_definitions_;
  std::map<std::string, RuntimeMapFacts> facts_;  // by UUID
  // Why stored maps are not running: missing devices, or the error of their last try.
  std::map<std::string, std::vector<std::string>> missing_;
  std::map<std::string, std::string> failed_;
  // Running maps of ours whose devices vanished under them, by name: the UUID and the device
  // numbers lost. A restore pass puts a stored one back on its devices once they are all there
  // (device_return.h); follow_lost_devices() keeps the list.
  struct Lost {
    std::string uuid;
    std::set<DeviceNumber> devices;
  };
  std::map<std::string, Lost> lost_devices_;
  // Backing files of stored loops that were not there at the last pass (filesystem not mounted).
  std::set<std::string> waiting_loop_files_;
  bool restore_running_ = false;
  bool restore_again_ = false;
  // request_rescan(): whether one runs, and who waits for the next.
  bool rescan_running_ = false;
  RescanScope next_rescan_scope_;
  std::vector<Completion<Done>> next_rescan_waiters_;
  std::string driver_version_;
  std::vector<TargetVersion> targets_;
  JobRegistry jobs_;
  ScheduleAfter schedule_;
  std::chrono::milliseconds poll_interval_{std::chrono::seconds(1)};
  std::chrono::milliseconds job_linger_{std::chrono::seconds(2)};
  SnapshotFillWatch fill_;
  WriteCounter write_counter_;
  std::chrono::milliseconds fill_interval_{std::chrono::seconds(5)};
  bool fill_look_scheduled_ = false;
  // COW files (engine_cow_files.cpp): the snapshots whose file is made but that do not run yet,
  // by UUID (their loops are not released), the snapshots seen with their file since start, the
  // loops being released, the snapshots whose file is growing. A file whose snapshot was never
  // seen is released only when every stored definition could be read at start (a quarantined
  // one may be its snapshot): unknown until the start's restore pass.
  std::set<std::string> cow_files_in_setup_;
  std::set<std::string> cow_owners_seen_;
  std::optional<bool> stored_state_complete_;
  std::set<std::uint32_t> cow_loops_releasing_;
  std::set<std::string> cow_files_growing_;
  // Expires with the engine: what timers and status reads hold, weakly.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mapperd
