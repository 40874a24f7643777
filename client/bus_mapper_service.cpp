// MapperService over the bus: the one place mapperctl turns its verbs into calls on the
// generated proxy and bus replies and errors back into its own values. One responsibility,
// one method per bus call (maps, batches, loops, jobs), hence its 500 lines; job following
// lives in bus_job_calls.*.

#include "bus_mapper_service.h"

#include <sdbus-c++/StandardInterfaces.h>
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <chrono>

#include "bus_job_calls.h"
#include "bus_map_properties.h"
#include "exit_status.h"
#include "mapperd-dbus/mapper1_proxy.h"
#include "object_path.h"
#include "polkit_agent.h"

namespace mapperctl {
namespace {

constexpr const char* kMapInterface = org::mapperd::Mapper1::Map_proxy::INTERFACE_NAME;
constexpr const char* kLoopInterface = org::mapperd::Mapper1::Loop_proxy::INTERFACE_NAME;
constexpr std::string_view kMapperdErrorPrefix = "org.mapperd.Mapper1.Error.";

// Longer than sd-bus's 25 s default: mapperd bounds its own wait for udev and answers
// Error.TimedOut itself, which says more than a NoReply from the bus would.
constexpr std::chrono::seconds kMethodCallTimeout{120};

using Options = std::map<std::string, sdbus::Variant>;
using InterfacesAndProperties = std::map<std::string, PropertyValues>;

class ManagerProxy final : public sdbus::ProxyInterfaces<org::mapperd::Mapper1::Manager_proxy,
                                                         sdbus::ObjectManager_proxy> {
 public:
  using AddedHandler =
      std::function<void(const sdbus::ObjectPath&, const InterfacesAndProperties&)>;
  using RemovedHandler =
      std::function<void(const sdbus::ObjectPath&, const std::vector<std::string>&)>;

  explicit ManagerProxy(sdbus::IConnection& connection)
      : ProxyInterfaces(connection, std::string(kBusName), std::string(kManagerPath)) {}
  ~ManagerProxy() { unregisterProxy(); }

  // Starts delivering InterfacesAdded and InterfacesRemoved to the handlers.
  void subscribe(AddedHandler on_added, RemovedHandler on_removed) {
    on_added_ = std::move(on_added);
    on_removed_ = std::move(on_removed);
    registerProxy();
  }

 private:
  void onInterfacesAdded(const sdbus::ObjectPath& path,
                         const InterfacesAndProperties& interfaces) override {
    if (on_added_)
      on_added_(path, interfaces);
  }
  void onInterfacesRemoved(const sdbus::ObjectPath& path,
                           const std::vector<std::string>& interfaces) override {
    if (on_removed_)
      on_removed_(path, interfaces);
  }

  AddedHandler on_added_;
  RemovedHandler on_removed_;
};

class MapProxy final
    : public sdbus::ProxyInterfaces<org::mapperd::Mapper1::Map_proxy, sdbus::Properties_proxy> {
 public:
  MapProxy(sdbus::IConnection& connection, const std::string& name)
      : ProxyInterfaces(connection, std::string(kBusName), map_object_path(name)) {}
  ~MapProxy() { unregisterProxy(); }

 private:
  // Only used for calls (never registered, so it asks the bus for no signals); `monitor`
  // follows every map with one match rule instead.
  void onPropertiesChanged(const std::string&, const PropertyValues&,
                           const std::vector<std::string>&) override {}
  void onFillThresholdCrossed(const uint32_t&) override {}
  void onSnapshotInvalidated() override {}
};

class LoopProxy final
    : public sdbus::ProxyInterfaces<org::mapperd::Mapper1::Loop_proxy, sdbus::Properties_proxy> {
 public:
  LoopProxy(sdbus::IConnection& connection, const std::string& path)
      : ProxyInterfaces(connection, std::string(kBusName), path) {}
  ~LoopProxy() { unregisterProxy(); }

 private:
  void onPropertiesChanged(const std::string&, const PropertyValues&,
                           const std::vector<std::string>&) override {}
};

// The message for a standard error whose own text would not tell an administrator what to do.
std::string describe(const sdbus::Error& error, const ConnectionOptions& connection) {
  const std::string& name = error.getName();
  const std::string where = connection.host ? " on " + *connection.host : "";
  if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
    return "mapperd is not running" + where +
           " (nobody owns org.mapperd.Mapper1 on the system bus; try: systemctl start mapperd)";
  }
  if (name == "org.freedesktop.DBus.Error.NoReply" ||
      name == "org.freedesktop.DBus.Error.Timeout") {
    return "mapperd did not answer in time" + where +
           "; the change may or may not have happened (check with mapperctl info)";
  }
  if (name == "org.freedesktop.DBus.Error.AccessDenied") {
    // mapperd names the polkit action ("not authorized for org.mapperd.create"); the bus daemon's
    // own denials name the policy rule. Either way, say first what kind of failure it is.
    return error.getMessage().empty() ? "permission denied"
                                      : "permission denied: " + error.getMessage();
  }
  return error.getMessage().empty() ? name : error.getMessage();
}

// Turns a failed call into the CommandError the verbs and the exit status use. `no_such_object`
// is what to say when the call's object is not there ("no map named 'x'"), so "unknown object"
// can say which map or loop does not exist.
CommandError to_command_error(const sdbus::Error& error, const ConnectionOptions& connection,
                              const std::string* no_such_object = nullptr) {
  const std::string& name = error.getName();
  if (no_such_object != nullptr && (name == "org.freedesktop.DBus.Error.UnknownObject" ||
                                    name == "org.freedesktop.DBus.Error.UnknownInterface")) {
    return CommandError(ExitStatus::NotFound, *no_such_object, "NotFound", name);
  }
  std::string kind;
  if (std::string_view(name).starts_with(kMapperdErrorPrefix)) {
    kind = name.substr(kMapperdErrorPrefix.size());
  }
  ExitStatus status = exit_status_for_dbus_error(name);
  // sd-bus reports a broken or refused connection as System.Error.<errno>.
  if (name == "System.Error.ECONNRESET" || name == "System.Error.ENOTCONN" ||
      name == "System.Error.ECONNREFUSED" || name == "System.Error.EPIPE") {
    status = ExitStatus::Unreachable;
  }
  return CommandError(status, describe(error, connection), kind, name);
}

class BusMapperService final : public MapperService {
 public:
  BusMapperService(std::unique_ptr<sdbus::IConnection> connection, ConnectionOptions options)
      : connection_(std::move(connection)), options_(std::move(options)) {
    connection_->setMethodCallTimeout(kMethodCallTimeout);
  }

  std::vector<MapInfo> list_maps() override {
    return call([&] {
      ManagerProxy manager(*connection_);
      std::vector<MapInfo> maps;
      for (const auto& [path, interfaces] : manager.GetManagedObjects()) {
        const auto map_interface = interfaces.find(kMapInterface);
        if (map_interface == interfaces.end())
          continue;
        MapInfo& map = maps.emplace_back();
        apply_map_properties(map_interface->second, map);
      }
      std::sort(maps.begin(), maps.end(),
                [](const MapInfo& a, const MapInfo& b) { return a.name < b.name; });
      return maps;
    });
  }

  MapInfo get_map(const std::string& name) override {
    return call_on(name, [&](MapProxy& map_proxy) {
      MapInfo map;
      apply_map_properties(map_proxy.GetAll(kMapInterface), map);
      return map;
    });
  }

  DaemonVersions versions() override {
    return call([&] {
      ManagerProxy manager(*connection_);
      return DaemonVersions{manager.Version(), manager.KernelDriverVersion()};
    });
  }

  std::vector<TargetVersion> kernel_targets() override {
    return call([&] {
      std::vector<TargetVersion> targets;
      for (const auto& target : ManagerProxy(*connection_).Targets()) {
        targets.push_back({std::get<0>(target), std::get<1>(target)});
      }
      std::sort(targets.begin(), targets.end(),
                [](const TargetVersion& a, const TargetVersion& b) { return a.name < b.name; });
      return targets;
    });
  }

  void create_map(const std::string& name, const std::string& table,
                  const CreateOptions& options) override {
    Options dict = base_options();
    add_create_options(dict, options);
    call([&] { return ManagerProxy(*connection_).CreateMap(name, table, dict); });
  }

  std::vector<std::string> create_maps(const std::vector<BatchMapRequest>& maps,
                                       bool partial) override {
    std::vector<sdbus::Struct<std::string, std::string, Options>> batch;
    for (const BatchMapRequest& map : maps) {
      Options dict;
      add_create_options(dict, map.options);
      batch.emplace_back(map.name, map.table, dict);
    }
    Options dict = base_options();
    if (partial)
      dict["partial"] = sdbus::Variant(true);
    const std::vector<sdbus::ObjectPath> paths =
        call([&] { return ManagerProxy(*connection_).CreateMaps(batch, dict); });
    std::vector<std::string> names;
    for (const sdbus::ObjectPath& path : paths) {
      if (std::optional<std::string> name = map_name_from_path(path))
        names.push_back(std::move(*name));
    }
    return names;
  }

  void remove_maps(const std::vector<std::string>& names, const RemoveOptions& options) override {
    std::vector<sdbus::ObjectPath> paths;
    for (const std::string& name : names)
      paths.emplace_back(map_object_path(name));
    Options dict = base_options();
    add_remove_options(dict, options);
    call([&] { ManagerProxy(*connection_).RemoveMaps(paths, dict); });
  }

  static void add_create_options(Options& dict, const CreateOptions& options) {
    if (options.uuid)
      dict["uuid"] = sdbus::Variant(*options.uuid);
    if (options.read_only)
      dict["read-only"] = sdbus::Variant(true);
    if (!options.persistent)
      dict["persistent"] = sdbus::Variant(false);
    if (options.wait_for_devices)
      dict["wait-for-devices"] = sdbus::Variant(true);
  }

  void create_snapshot(const std::string& origin, const std::string& name,
                       const std::string& cow_device, const SnapshotOptions& options) override {
    Options dict = base_options();
    dict["persistent"] = sdbus::Variant(options.persistent);
    if (options.chunk_size)
      dict["chunk-size"] = sdbus::Variant(*options.chunk_size);
    if (options.cow_bytes)
      dict["cow-size"] = sdbus::Variant(*options.cow_bytes);
    if (options.cow_percent)
      dict["cow-percent"] = sdbus::Variant(*options.cow_percent);
    if (!options.fill_thresholds.empty())
      dict["fill-thresholds"] = sdbus::Variant(options.fill_thresholds);
    if (options.auto_extend)
      dict["auto-extend"] = sdbus::Variant(true);
    if (options.extend_percent)
      dict["extend-percent"] = sdbus::Variant(*options.extend_percent);
    call([&] { return ManagerProxy(*connection_).CreateSnapshot(origin, name, cow_device, dict); });
  }

  std::vector<TableProblemReport> validate_table(const std::string& table) override {
    return call([&] {
      std::vector<TableProblemReport> problems;
      for (const auto& problem : ManagerProxy(*connection_).ValidateTable(table)) {
        problems.push_back({std::get<0>(problem), std::get<1>(problem), std::get<2>(problem)});
      }
      return problems;
    });
  }

  void remove_map(const std::string& name, const RemoveOptions& options) override {
    Options dict = base_options();
    add_remove_options(dict, options);
    call_on(name, [&](MapProxy& map) { map.Remove(dict); });
  }

  static void add_remove_options(Options& dict, const RemoveOptions& options) {
    if (options.force)
      dict["force"] = sdbus::Variant(true);
    if (options.deferred)
      dict["deferred"] = sdbus::Variant(true);
    if (options.keep_definition)
      dict["keep-definition"] = sdbus::Variant(true);
    if (options.with_snapshots)
      dict["with-snapshots"] = sdbus::Variant(true);
  }

  void suspend_map(const std::string& name, bool noflush) override {
    Options dict = base_options();
    if (noflush)
      dict["noflush"] = sdbus::Variant(true);
    call_on(name, [&](MapProxy& map) { map.Suspend(dict); });
  }

  void resume_map(const std::string& name) override {
    call_on(name, [&](MapProxy& map) { map.Resume(base_options()); });
  }

  void reload_map(const std::string& name, const std::string& table) override {
    call_on(name, [&](MapProxy& map) { map.Reload(table, base_options()); });
  }

  void rename_map(const std::string& name, const std::string& new_name) override {
    call_on(name, [&](MapProxy& map) { return map.Rename(new_name, base_options()); });
  }

  std::string send_message(const std::string& name, std::uint64_t sector,
                           const std::string& message) override {
    return call_on(name,
                   [&](MapProxy& map) { return map.Message(sector, message, base_options()); });
  }

  std::string map_status(const std::string& name) override {
    return call_on(name, [&](MapProxy& map) { return map.GetStatus(); });
  }

  std::vector<LoopInfo> list_loops() override {
    return call([&] {
      ManagerProxy manager(*connection_);
      std::vector<LoopInfo> loops;
      for (const auto& [path, interfaces] : manager.GetManagedObjects()) {
        const auto loop_interface = interfaces.find(kLoopInterface);
        const std::optional<std::uint32_t> index = loop_index_from_path(path);
        if (loop_interface == interfaces.end() || !index)
          continue;
        LoopInfo& loop = loops.emplace_back();
        loop.index = *index;
        apply_loop_properties(loop_interface->second, loop);
      }
      std::sort(loops.begin(), loops.end(),
                [](const LoopInfo& a, const LoopInfo& b) { return a.index < b.index; });
      return loops;
    });
  }

  LoopInfo attach_loop(int fd, const LoopOptions& options) override {
    return call([&] {
      // sdbus::UnixFd(int) sends a copy; `fd` stays ours.
      const sdbus::ObjectPath path =
          ManagerProxy(*connection_).AttachLoop(sdbus::UnixFd(fd), loop_options(options));
      return read_loop(path);
    });
  }

  LoopInfo attach_loop_file(const std::string& file, const LoopOptions& options) override {
    return call([&] {
      const sdbus::ObjectPath path =
          ManagerProxy(*connection_).AttachLoopFile(file, loop_options(options));
      return read_loop(path);
    });
  }

  void detach_loop(std::uint32_t index, bool keep_definition) override {
    Options dict = base_options();
    if (keep_definition)
      dict["keep-definition"] = sdbus::Variant(true);
    const std::string no_such_loop =
        "mapperd has no loop device /dev/loop" + std::to_string(index) +
        " (see mapperctl loop ls; mapperd detaches only loops it attached)";
    try {
      LoopProxy loop(*connection_, loop_object_path(index));
      loop.Detach(dict);
    } catch (const sdbus::Error& error) {
      throw to_command_error(error, options_, &no_such_loop);
    }
  }

  std::vector<DefinitionInfo> list_definitions() override {
    return call([&] {
      std::vector<DefinitionInfo> definitions;
      for (const auto& definition : ManagerProxy(*connection_).ListDefinitions()) {
        definitions.push_back(
            {std::get<0>(definition), std::get<1>(definition), std::get<2>(definition)});
      }
      std::sort(definitions.begin(), definitions.end(),
                [](const DefinitionInfo& a, const DefinitionInfo& b) { return a.name < b.name; });
      return definitions;
    });
  }

  MergeReply merge_snapshot(const std::string& name, const MergeOptions& options,
                            const std::function<void(const std::string&)>& on_started,
                            const std::function<void(const JobInfo&)>& on_update) override {
    Options dict = base_options();
    if (options.now)
      dict["now"] = sdbus::Variant(true);
    try {
      return merge_on(*connection_, name, dict, options.follow, on_started, on_update);
    } catch (const sdbus::Error& error) {
      const std::string no_such_map = "no map named '" + name + "'";
      throw to_command_error(error, options_, &no_such_map);
    }
  }

  std::vector<JobInfo> list_jobs() override {
    return call([&] { return jobs_on(*connection_); });
  }

  void watch(const std::function<void()>& on_ready,
             const std::function<void(const MapEvent&)>& on_event) override {
    call([&] {
      ManagerProxy manager(*connection_);
      manager.subscribe(
          [&](const sdbus::ObjectPath& path, const InterfacesAndProperties& interfaces) {
            const auto map_interface = interfaces.find(kMapInterface);
            if (map_interface == interfaces.end())
              return;
            MapEvent event =
                MapEvent::of(MapEvent::Kind::Added, map_name_from_path(path).value_or(path));
            apply_map_properties(map_interface->second, event.map);
            if (!event.map.name.empty())
              event.name = event.map.name;
            on_event(event);
          },
          [&](const sdbus::ObjectPath& path, const std::vector<std::string>& interfaces) {
            if (std::find(interfaces.begin(), interfaces.end(), kMapInterface) ==
                interfaces.end()) {
              return;
            }
            on_event(
                MapEvent::of(MapEvent::Kind::Removed, map_name_from_path(path).value_or(path)));
          });
      // One rule for the PropertiesChanged of every object under the manager, maps that
      // appear later included; a proxy per map could not follow new ones.
      sdbus::Slot properties_match = connection_->addMatch(
          "type='signal',sender='org.mapperd.Mapper1',interface='org.freedesktop.DBus."
          "Properties',member='PropertiesChanged',path_namespace='/org/mapperd/Mapper1'",
          [&](sdbus::Message& message) { on_properties_changed(message, on_event); });
      // A snapshot's own signals: its fill thresholds and its invalidation.
      sdbus::Slot snapshot_match = connection_->addMatch(
          "type='signal',sender='org.mapperd.Mapper1',interface='org.mapperd.Mapper1.Map',"
          "path_namespace='/org/mapperd/Mapper1'",
          [&](sdbus::Message& message) { on_snapshot_signal(message, on_event); });
      sdbus::Slot owner_match = connection_->addMatch(
          "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
          "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
          "arg0='org.mapperd.Mapper1'",
          [&](sdbus::Message& message) {
            std::string name, old_owner, new_owner;
            message >> name >> old_owner >> new_owner;
            on_event(MapEvent::of(new_owner.empty() ? MapEvent::Kind::DaemonStopped
                                                    : MapEvent::Kind::DaemonStarted));
          });
      // addMatch() returns once the bus has the rule, so nothing after this is missed.
      on_ready();
      connection_->enterEventLoop();
    });
  }

 private:
  static void on_snapshot_signal(sdbus::Message& message,
                                 const std::function<void(const MapEvent&)>& on_event) {
    const std::string name = map_name_from_path(message.getPath()).value_or(message.getPath());
    const std::string member = message.getMemberName();
    if (member == "FillThresholdCrossed") {
      MapEvent event = MapEvent::of(MapEvent::Kind::FillCrossed, name);
      std::uint32_t percent = 0;
      message >> percent;
      event.percent = percent;
      on_event(event);
    } else if (member == "SnapshotInvalidated") {
      on_event(MapEvent::of(MapEvent::Kind::Invalidated, name));
    }
  }

  static void on_properties_changed(sdbus::Message& message,
                                    const std::function<void(const MapEvent&)>& on_event) {
    std::string interface;
    PropertyValues changed;
    std::vector<std::string> invalidated;
    message >> interface >> changed >> invalidated;
    MapEvent event;
    if (message.getPath() == kManagerPath) {
      event.kind = MapEvent::Kind::ManagerChanged;
      for (const auto& [property, value] : changed)
        event.changed.push_back(property);
    } else if (interface == kMapInterface) {
      event.kind = MapEvent::Kind::Changed;
      event.name = map_name_from_path(message.getPath()).value_or(message.getPath());
      event.changed = apply_map_properties(changed, event.map);
    } else {
      return;
    }
    event.invalidated = std::move(invalidated);
    on_event(event);
  }

  // The loop an attach made, as its object shows it.
  LoopInfo read_loop(const sdbus::ObjectPath& path) {
    LoopInfo loop;
    loop.index = loop_index_from_path(path).value_or(0);
    apply_loop_properties(LoopProxy(*connection_, path).GetAll(kLoopInterface), loop);
    return loop;
  }

  Options loop_options(const LoopOptions& options) const {
    Options dict = base_options();
    if (options.offset != 0)
      dict["offset"] = sdbus::Variant(options.offset);
    if (options.size_limit != 0)
      dict["size"] = sdbus::Variant(options.size_limit);
    if (options.read_only)
      dict["read-only"] = sdbus::Variant(true);
    if (!options.persistent)
      dict["persistent"] = sdbus::Variant(false);
    return dict;
  }

  Options base_options() const {
    // The first call that may need an authentication starts the agent that can ask for it.
    if (options_.start_polkit_agent)
      polkit_agent_.start();
    return {
        {"auth.no_user_interaction", sdbus::Variant(!options_.allow_interactive_authorization)}};
  }

  template <class Call>
  auto call(Call&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const sdbus::Error& error) {
      throw to_command_error(error, options_);
    }
  }

  template <class Call>
  auto call_on(const std::string& name, Call&& body) -> decltype(body(std::declval<MapProxy&>())) {
    try {
      MapProxy map(*connection_, name);
      return body(map);
    } catch (const sdbus::Error& error) {
      const std::string no_such_map = "no map named '" + name + "'";
      throw to_command_error(error, options_, &no_such_map);
    }
  }

  std::unique_ptr<sdbus::IConnection> connection_;
  ConnectionOptions options_;
  // Started by the first call that changes something; stopped when mapperctl is done.
  mutable PolkitAgent polkit_agent_;
};

}  // namespace

std::unique_ptr<MapperService> connect_to_mapperd(const ConnectionOptions& options) {
  std::unique_ptr<sdbus::IConnection> connection;
  try {
    connection = options.host ? sdbus::createRemoteSystemBusConnection(*options.host)
                              : sdbus::createSystemBusConnection();
  } catch (const sdbus::Error& error) {
    const std::string bus = options.host ? "the system bus of " + *options.host : "the system bus";
    throw CommandError(ExitStatus::Unreachable,
                       "cannot connect to " + bus + ": " + error.getMessage());
  }
  return std::make_unique<BusMapperService>(std::move(connection), options);
}

}  // namespace mapperctl
