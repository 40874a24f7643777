#pragma once
// An in-memory mapperd for the client's tests. FakeMapperd is the daemon's state, which outlives
// one command; FakeMapperService is the connection one command opens to it. Every call is
// recorded, and a call can be made to fail with a chosen error.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exit_status.h"
#include "mapper_service.h"

namespace mapperctl::testing {

struct CreatedMap {
  std::string name;
  std::string table;
  CreateOptions options;
};

// What AttachLoop received: the file behind the descriptor, as the daemon would see it.
struct AttachedFile {
  std::string path;      // readlink(/proc/self/fd/N); for AttachLoopFile the path sent
  int access_mode = -1;  // O_RDONLY or O_RDWR; -1 for AttachLoopFile
  bool close_on_exec = false;
  std::uint64_t inode = 0;  // 0 for AttachLoopFile
  bool by_path = false;     // AttachLoopFile
  LoopOptions options;
};

struct FakeMapperd {
  std::vector<CreatedMap> created;
  std::vector<std::string> calls;  // "create twoasone", "remove new_name", ...
  std::map<std::string, MapInfo> maps;
  std::vector<TableProblemReport> problems_to_report;
  std::vector<MapEvent> events_to_send;
  std::optional<SnapshotOptions> last_snapshot_options;
  std::optional<RemoveOptions> last_remove_options;
  std::optional<ConnectionOptions> last_connection;
  std::map<std::string, CommandError> failures;
  std::map<std::uint32_t, LoopInfo> loops;
  std::vector<AttachedFile> attached;
  // The Warnings every loop attached from now on gets, as mapperd would say them.
  std::vector<std::string> attach_warnings;
  std::optional<bool> last_detach_kept_definition;
  std::vector<DefinitionInfo> definitions;
  // What a merge does: defers, or runs a job through these updates to this end.
  bool merge_deferred = false;
  std::vector<JobInfo> merge_updates;
  bool merge_success = true;
  std::string merge_message = "merged snap into origin";
  std::optional<MergeOptions> last_merge_options;
  std::vector<JobInfo> jobs;

  // Makes the call whose record equals `call` ("create b") throw `error`, once.
  void fail(const std::string& call, CommandError error) { failures.emplace(call, error); }

  MapInfo& add_map(const std::string& name, std::uint32_t minor, const std::string& table) {
    MapInfo& map = maps[name];
    map.name = name;
    map.uuid = "MAPPERD-" + name;
    map.device_path = "/dev/mapper/" + name;
    map.major = 254;
    map.minor = minor;
    map.table = table;
    map.state = "active";
    map.owned = true;
    map.persistent = true;
    return map;
  }
};

// The next free /dev/loopN number, as the kernel hands them out.
inline std::uint32_t next_loop_index(const FakeMapperd& d) {
  std::uint32_t index = 0;
  while (d.loops.contains(index))
    ++index;
  return index;
}

class FakeMapperService final : public MapperService {
 public:
  explicit FakeMapperService(FakeMapperd& daemon) : d_(daemon) {}

  std::vector<MapInfo> list_maps() override {
    record("ls");
    std::vector<MapInfo> result;
    for (const auto& [name, map] : d_.maps)
      result.push_back(map);
    return result;
  }

  MapInfo get_map(const std::string& name) override {
    record("get " + name);
    return existing(name);
  }

  DaemonVersions versions() override {
    record("versions");
    return {"0.1.0", "4.47.0"};
  }

  std::vector<TargetVersion> kernel_targets() override {
    record("targets");
    return {{"linear", 0x010400}, {"striped", 0x010600}};
  }

  void create_map(const std::string& name, const std::string& table,
                  const CreateOptions& options) override {
    record("create " + name);
    if (d_.maps.contains(name)) {
      throw CommandError(ExitStatus::AlreadyExists,
                         "create " + name + ": a map named " + name + " exists", "AlreadyExists");
    }
    d_.created.push_back({name, table, options});
    d_.add_map(name, static_cast<std::uint32_t>(d_.maps.size()), table);
  }

  // One call recorded as "create-maps a b" ("create-maps --partial a b"); all or nothing: a
  // name taken fails the call and makes nothing; with `partial` the taken ones are left out.
  std::vector<std::string> create_maps(const std::vector<BatchMapRequest>& maps,
                                       bool partial) override {
    std::string call = partial ? "create-maps --partial" : "create-maps";
    for (const BatchMapRequest& map : maps)
      call += " " + map.name;
    record(call);
    std::vector<std::string> made;
    for (const BatchMapRequest& map : maps) {
      if (d_.maps.contains(map.name) && !partial) {
        throw CommandError(ExitStatus::AlreadyExists,
                           "CreateMaps: map '" + map.name + "': a map of that name exists",
                           "AlreadyExists");
      }
    }
    for (const BatchMapRequest& map : maps) {
      if (d_.maps.contains(map.name))
        continue;
      d_.created.push_back({map.name, map.table, map.options});
      d_.add_map(map.name, static_cast<std::uint32_t>(d_.maps.size()), map.table);
      made.push_back(map.name);
    }
    return made;
  }

  void create_snapshot(const std::string& origin, const std::string& name, const std::string& cow,
                       const SnapshotOptions& options) override {
    record("snapshot " + origin + " " + name + " " + cow);
    existing(origin);
    d_.last_snapshot_options = options;
    d_.add_map(name, static_cast<std::uint32_t>(d_.maps.size()), "").snapshot_origin = origin;
  }

  std::vector<TableProblemReport> validate_table(const std::string&) override {
    record("validate");
    return d_.problems_to_report;
  }

  // One call recorded as "remove-maps a b"; every name must exist, or nothing is removed.
  void remove_maps(const std::vector<std::string>& names, const RemoveOptions& options) override {
    std::string call = "remove-maps";
    for (const std::string& name : names)
      call += " " + name;
    record(call);
    for (const std::string& name : names)
      existing(name);
    d_.last_remove_options = options;
    for (const std::string& name : names)
      d_.maps.erase(name);
  }

  void remove_map(const std::string& name, const RemoveOptions& options) override {
    record("remove " + name);
    existing(name);
    d_.last_remove_options = options;
    d_.maps.erase(name);
  }

  void suspend_map(const std::string& name, bool noflush) override {
    record(std::string(noflush ? "suspend --noflush " : "suspend ") + name);
    existing(name).state = "suspended";
  }

  void resume_map(const std::string& name) override {
    record("resume " + name);
    existing(name).state = "active";
  }

  void reload_map(const std::string& name, const std::string& table) override {
    record("reload " + name);
    existing(name).table = table;
  }

  void rename_map(const std::string& name, const std::string& new_name) override {
    record("rename " + name + " " + new_name);
    MapInfo map = existing(name);
    d_.maps.erase(name);
    map.name = new_name;
    d_.maps[new_name] = map;
  }

  std::string send_message(const std::string& name, std::uint64_t sector,
                           const std::string& message) override {
    record("message " + name + " " + std::to_string(sector) + " " + message);
    existing(name);
    return message == "ping" ? "pong" : "";
  }

  std::string map_status(const std::string& name) override {
    record("status " + name);
    existing(name);
    return "0 8 linear\n";
  }

  std::vector<LoopInfo> list_loops() override {
    record("loop ls");
    std::vector<LoopInfo> result;
    for (const auto& [index, loop] : d_.loops)
      result.push_back(loop);
    return result;
  }

  LoopInfo attach_loop(int fd, const LoopOptions& options) override {
    record("loop attach");
    AttachedFile file;
    char target[4096] = {};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
    file.path = length > 0 ? std::string(target, static_cast<std::size_t>(length)) : "?";
    const int flags = ::fcntl(fd, F_GETFL);
    file.access_mode = flags < 0 ? -1 : (flags & O_ACCMODE);
    file.close_on_exec = (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
    struct stat status {};
    if (::fstat(fd, &status) == 0)
      file.inode = status.st_ino;
    file.options = options;
    d_.attached.push_back(file);
    return add_loop(file);
  }

  LoopInfo attach_loop_file(const std::string& path, const LoopOptions& options) override {
    record("loop attach-file " + path);
    AttachedFile file;
    file.path = path;
    file.by_path = true;
    file.options = options;
    d_.attached.push_back(file);
    return add_loop(file);
  }

  void detach_loop(std::uint32_t index, bool keep_definition) override {
    record("loop detach " + std::to_string(index));
    if (!d_.loops.contains(index)) {
      throw CommandError(ExitStatus::NotFound,
                         "mapperd has no loop device /dev/loop" + std::to_string(index),
                         "NotFound");
    }
    d_.last_detach_kept_definition = keep_definition;
    d_.loops.erase(index);
  }

  std::vector<DefinitionInfo> list_definitions() override {
    record("definitions");
    return d_.definitions;
  }

  MergeReply merge_snapshot(const std::string& name, const MergeOptions& options,
                            const std::function<void(const std::string&)>& on_started,
                            const std::function<void(const JobInfo&)>& on_update) override {
    record("merge " + name);
    existing(name);
    d_.last_merge_options = options;
    MergeReply reply;
    if (d_.merge_deferred) {
      reply.deferred = true;
      return reply;
    }
    reply.job_path = "/org/mapperd/Mapper1/job/1";
    if (!options.follow)
      return reply;
    on_started(reply.job_path);
    for (const JobInfo& update : d_.merge_updates)
      on_update(update);
    reply.completed = true;
    reply.success = d_.merge_success;
    reply.message = d_.merge_message;
    return reply;
  }

  std::vector<JobInfo> list_jobs() override {
    record("jobs");
    return d_.jobs;
  }

  void watch(const std::function<void()>& on_ready,
             const std::function<void(const MapEvent&)>& on_event) override {
    record("watch");
    on_ready();
    for (const MapEvent& event : d_.events_to_send)
      on_event(event);
  }

 private:
  void record(const std::string& call) {
    d_.calls.push_back(call);
    if (const auto failure = d_.failures.find(call); failure != d_.failures.end()) {
      const CommandError error = failure->second;
      d_.failures.erase(failure);
      throw error;
    }
  }

  LoopInfo add_loop(const AttachedFile& file) {
    LoopInfo loop;
    loop.index = next_loop_index(d_);
    loop.device_path = "/dev/loop" + std::to_string(loop.index);
    loop.major = 7;
    loop.minor = loop.index;
    loop.backing_file = file.path;
    loop.offset = file.options.offset;
    loop.size_limit = file.options.size_limit;
    loop.read_only = file.options.read_only;
    loop.persistent = file.options.persistent;
    loop.inode = file.inode;
    loop.warnings = d_.attach_warnings;
    d_.loops[loop.index] = loop;
    return loop;
  }

  MapInfo& existing(const std::string& name) {
    const auto it = d_.maps.find(name);
    if (it == d_.maps.end()) {
      throw CommandError(ExitStatus::NotFound, "no map named '" + name + "'", "NotFound");
    }
    return it->second;
  }

  FakeMapperd& d_;
};

}  // namespace mapperctl::testing
