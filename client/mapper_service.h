#pragma once
// What mapperctl asks of mapperd, in plain C++ types. The bus implementation
// (bus_mapper_service.h) is the only code that knows D-Bus; verbs and their tests see only this.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mapperctl {

// A map as mapperd describes it (org.mapperd.Mapper1.Map's properties). Sizes are sectors.
struct MapInfo {
  std::string name;
  std::string uuid;
  std::string device_path;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint64_t size = 0;
  std::string table;  // the kernel's lines, '\n'-separated, key material masked
  std::string state;  // active, suspended, pending, degraded, failed
  bool read_only = false;
  bool persistent = false;
  std::int32_t open_count = 0;
  std::vector<std::string> dependencies;  // "MAJOR:MINOR"
  // What the map needs and does not have: a pending map's awaited devices, a degraded map's
  // vanished ones ("/dev/loop1 (file /srv/a.img)"). Empty otherwise.
  std::vector<std::string> missing_devices;
  bool owned = false;
  std::uint32_t created_by_uid = 0;
  std::string snapshot_origin;         // the origin's map name; empty unless a snapshot
  std::vector<std::string> snapshots;  // names of this origin's snapshots
  // Only meaningful for snapshots (snapshot_origin not empty).
  std::uint64_t allocated_sectors = 0;
  std::uint64_t total_sectors = 0;
  std::uint64_t metadata_sectors = 0;
  bool invalid = false;
  // A merge waits for the origin and the snapshot to be closed (the next boot, or merge --now).
  bool merge_pending = false;
  // When its fill is announced (percent), and the COW file mapperd made for it ("" for a COW
  // device) with how it grows.
  std::vector<std::uint32_t> fill_thresholds;
  std::string cow_file;
  bool auto_extend = false;
  std::uint32_t extend_percent = 0;

  bool is_snapshot() const { return !snapshot_origin.empty(); }
};

// A target type the kernel has loaded, as the manager's Targets property lists it.
struct TargetVersion {
  std::string name;
  std::uint32_t version = 0;  // (major << 16) | (minor << 8) | patch

  // "1.4.0".
  std::string version_text() const {
    return std::to_string(version >> 16) + "." + std::to_string((version >> 8) & 0xff) + "." +
           std::to_string(version & 0xff);
  }
};

// A loop device mapperd attached (org.mapperd.Mapper1.Loop's properties). Offsets and sizes are
// bytes, as the loop driver counts them.
struct LoopInfo {
  std::uint32_t index = 0;  // N of /dev/loopN
  std::string device_path;  // /dev/loopN
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string backing_file;
  std::uint64_t offset = 0;
  std::uint64_t size_limit = 0;  // 0: to the file's end
  bool read_only = false;
  bool persistent = true;
  std::uint64_t inode = 0;
  std::uint32_t created_by_uid = 0;
  // What mapperd says its attacher should know (the Loop's Warnings: a persistent loop whose
  // file a reboot takes away).
  std::vector<std::string> warnings;
};

// What `loop attach` asks for besides the file. Bytes.
struct LoopOptions {
  std::uint64_t offset = 0;
  std::uint64_t size_limit = 0;  // 0: to the file's end
  bool read_only = false;
  bool persistent = true;
  friend bool operator==(const LoopOptions&, const LoopOptions&) = default;
};

// A stored map definition, as ListDefinitions reports it.
struct DefinitionInfo {
  std::string name;
  std::string state;   // active, pending, failed, inactive
  std::string reason;  // why it is not active; empty when it is
  friend bool operator==(const DefinitionInfo&, const DefinitionInfo&) = default;
};

struct DaemonVersions {
  std::string daemon;         // mapperd's own version
  std::string kernel_driver;  // the device-mapper driver's, "4.47.0"
};

struct CreateOptions {
  std::optional<std::string> uuid;  // mapperd prefixes "MAPPERD-"
  bool read_only = false;
  bool persistent = true;
  // Store the map even though devices its table names are missing; it comes up when they appear.
  bool wait_for_devices = false;
};

// One map of a create_maps() batch.
struct BatchMapRequest {
  std::string name;
  std::string table;
  CreateOptions options;
};

struct SnapshotOptions {
  bool persistent = true;
  std::optional<std::uint64_t> chunk_size;  // sectors; the daemon's default when absent
  // A COW file the daemon makes instead of a COW device: bytes, or a share of the origin.
  std::optional<std::uint64_t> cow_bytes;
  std::optional<std::uint32_t> cow_percent;
  std::vector<std::uint32_t> fill_thresholds;  // the daemon's default when empty
  bool auto_extend = false;
  std::optional<std::uint32_t> extend_percent;
};

struct RemoveOptions {
  bool force = false;
  bool deferred = false;
  bool keep_definition = false;  // deactivate only: the map comes back at next boot
  bool with_snapshots = false;   // an origin's snapshots go first, in the same call
};

// One problem ValidateTable found.
struct TableProblemReport {
  std::uint32_t line = 0;  // 0: the table as a whole
  std::string field;
  std::string reason;
  friend bool operator==(const TableProblemReport&, const TableProblemReport&) = default;
};

// A change `monitor` reports.
struct MapEvent {
  enum class Kind {
    Added,           // a map appeared (created, renamed to, adopted); `map` is complete
    Removed,         // a map went away (removed, renamed from)
    Changed,         // some of a map's properties changed
    ManagerChanged,  // the manager's properties changed (Targets)
    DaemonStarted,   // org.mapperd.Mapper1 got an owner
    DaemonStopped,   // org.mapperd.Mapper1 lost its owner
    FillCrossed,     // a snapshot's COW use reached `percent` (FillThresholdCrossed)
    Invalidated,     // the kernel invalidated a snapshot (SnapshotInvalidated)
  };
  Kind kind = Kind::Changed;
  std::string name;                  // the map's name, for Added, Removed, Changed
  MapInfo map;                       // Added: complete; Changed: the `changed` properties filled in
  std::vector<std::string> changed;  // D-Bus property names whose new values are in `map`
  std::vector<std::string> invalidated;  // D-Bus property names that changed, value not sent
  unsigned percent = 0;                  // FillCrossed

  static MapEvent of(Kind kind, std::string name = {}) {
    MapEvent event;
    event.kind = kind;
    event.name = std::move(name);
    return event;
  }
};

// A job mapperd runs (org.mapperd.Mapper1.Job's properties): a snapshot merge.
struct JobInfo {
  std::string path;               // /org/mapperd/Mapper1/job/N
  std::string operation;          // "merge"
  std::vector<std::string> maps;  // the maps involved, by name
  double progress = 0;            // 0..1, when progress_valid
  bool progress_valid = false;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::uint64_t rate = 0;          // bytes per second; 0 while unknown
  std::uint64_t start_time = 0;    // microseconds since the epoch
  std::uint64_t expected_end = 0;  // the same; 0 while unknown
  std::uint32_t started_by_uid = 0;
  bool cancelable = false;
};

struct MergeOptions {
  bool now = false;    // start now or fail Busy; never defer
  bool follow = true;  // wait for the job's end, reporting its progress
};

// What a merge request came to.
struct MergeReply {
  bool deferred = false;  // the origin or the snapshot was open: MergePending is set
  std::string job_path;   // the job, when not deferred
  // When followed to its end: how it ended (Completed).
  bool completed = false;
  bool success = false;
  std::string message;
};

// Every call throws CommandError with the exit status of the error (NotFound for a name no map
// has or a loop mapperd did not attach, Unreachable when the daemon is not there, ...) and the
// daemon's message.
class MapperService {
 public:
  virtual ~MapperService() = default;

  // Every map, sorted by name.
  virtual std::vector<MapInfo> list_maps() = 0;
  virtual MapInfo get_map(const std::string& name) = 0;
  virtual DaemonVersions versions() = 0;
  virtual std::vector<TargetVersion> kernel_targets() = 0;

  virtual void create_map(const std::string& name, const std::string& table,
                          const CreateOptions& options) = 0;
  // Makes every map of `maps` in one CreateMaps call: all or nothing, or with `partial` those
  // that work. The names of the maps made, in the order asked for.
  virtual std::vector<std::string> create_maps(const std::vector<BatchMapRequest>& maps,
                                               bool partial) = 0;
  virtual void create_snapshot(const std::string& origin, const std::string& name,
                               const std::string& cow_device, const SnapshotOptions& options) = 0;
  virtual std::vector<TableProblemReport> validate_table(const std::string& table) = 0;

  virtual void remove_map(const std::string& name, const RemoveOptions& options) = 0;
  // Removes every map of `names` in one RemoveMaps call (dependents first; all checked before
  // anything is removed).
  virtual void remove_maps(const std::vector<std::string>& names, const RemoveOptions& options) = 0;
  virtual void suspend_map(const std::string& name, bool noflush) = 0;
  virtual void resume_map(const std::string& name) = 0;
  virtual void reload_map(const std::string& name, const std::string& table) = 0;
  virtual void rename_map(const std::string& name, const std::string& new_name) = 0;
  virtual std::string send_message(const std::string& name, std::uint64_t sector,
                                   const std::string& message) = 0;
  virtual std::string map_status(const std::string& name) = 0;

  // Every loop device mapperd attached, by number.
  virtual std::vector<LoopInfo> list_loops() = 0;
  // Attaches a loop device to the file `fd` is open on; `fd` stays the caller's to close.
  virtual LoopInfo attach_loop(int fd, const LoopOptions& options) = 0;
  // The same for a path mapperd opens itself (root only): for -H, where no descriptor can pass.
  virtual LoopInfo attach_loop_file(const std::string& path, const LoopOptions& options) = 0;
  // NotFound unless mapperd attached /dev/loop`index`.
  virtual void detach_loop(std::uint32_t index, bool keep_definition) = 0;
  // Every stored map definition, sorted by name.
  virtual std::vector<DefinitionInfo> list_definitions() = 0;

  // Merges the snapshot `name` into its origin. With options.follow, calls `on_started` with the
  // job's path once it runs, then `on_update` at each change of its progress, and returns once
  // it completed; otherwise returns once it runs. Deferred merges return at once.
  virtual MergeReply merge_snapshot(const std::string& name, const MergeOptions& options,
                                    const std::function<void(const std::string&)>& on_started,
                                    const std::function<void(const JobInfo&)>& on_update) = 0;
  // Every running job, by path.
  virtual std::vector<JobInfo> list_jobs() = 0;

  // Calls `on_ready` once subscribed (a change after that is never missed), then `on_event`
  // for every change until the connection breaks or the process is stopped.
  virtual void watch(const std::function<void()>& on_ready,
                     const std::function<void(const MapEvent&)>& on_event) = 0;
};

// How to reach mapperd, from the global options.
struct ConnectionOptions {
  std::optional<std::string> host;  // ssh to [USER@]HOST and use its system bus
  bool allow_interactive_authorization = true;
  // Start a text polkit agent (pkttyagent) before the first call that changes something.
  bool start_polkit_agent = false;
};

using MapperServiceFactory =
    std::function<std::unique_ptr<MapperService>(const ConnectionOptions& options)>;

}  // namespace mapperctl
