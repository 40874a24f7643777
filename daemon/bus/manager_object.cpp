#include "manager_object.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "engine/engine.h"
#include "model/error.h"
#include "object_paths.h"

namespace mapperd::bus {
namespace {

// As the kernel's KERNEL_VERSION() packs a version, and dmsetup targets shows it unpacked.
std::uint32_t packed_version(const TargetVersion& target) {
  return (target.major << 16) | (target.minor << 8) | target.patch;
}

// AttachLoop's and AttachLoopFile's options.
CallOptions read_loop_options(const std::map<std::string, sdbus::Variant>& options) {
  return CallOptions::read(options, {{"offset", OptionType::UInt64},
                                     {"size", OptionType::UInt64},
                                     {"read-only", OptionType::Boolean},
                                     {"persistent", OptionType::Boolean}});
}

// A map's options, as CreateMap and each map of CreateMaps take them.
// CreateMap's also take bind-to-caller (`bindable`): a batch's maps have no one caller to follow.
CallOptions read_create_options(const std::map<std::string, sdbus::Variant>& options,
                                bool bindable = false) {
  if (bindable) {
    return CallOptions::read(options, {{"uuid", OptionType::String},
                                       {"read-only", OptionType::Boolean},
                                       {"persistent", OptionType::Boolean},
                                       {"wait-for-devices", OptionType::Boolean},
                                       {"bind-to-caller", OptionType::Boolean}});
  }
  return CallOptions::read(options, {{"uuid", OptionType::String},
                                     {"read-only", OptionType::Boolean},
                                     {"persistent", OptionType::Boolean},
                                     {"wait-for-devices", OptionType::Boolean}});
}

CreateMapRequest create_request(std::string name, std::string table, const CallOptions& checked,
                                std::uint32_t caller_uid) {
  CreateMapRequest request;
  request.name = std::move(name);
  request.table = std::move(table);
  request.uuid = checked.text("uuid").value_or("");
  request.read_only = checked.flag("read-only");
  request.persistent = checked.flag("persistent", true);
  request.wait_for_devices = checked.flag("wait-for-devices");
  request.caller_uid = caller_uid;
  return request;
}

AttachLoopRequest loop_request(const CallOptions& options, std::uint32_t caller_uid) {
  AttachLoopRequest request;
  request.offset = options.number("offset").value_or(0);
  request.size_limit = options.number("size").value_or(0);
  request.read_only = options.flag("read-only");
  request.persistent = options.flag("persistent", true);
  request.caller_uid = caller_uid;
  return request;
}

// The reply to AttachLoop and AttachLoopFile, once the engine attached the loop (its object is
// exported and announced by then).
Completion<LoopRecord> reply_with_loop(MethodCall<sdbus::ObjectPath>::Pointer call) {
  return [call](Outcome<LoopRecord> outcome) {
    if (!outcome.ok())
      return call->fail(outcome.error());
    const LoopRecord& loop = outcome.value();
    call->about_loop(loop.device_path());
    for (const std::string& warning : loop.warnings)
      call->warn(loop.device_path() + ": " + warning);
    call->guard([&] {
      call->succeed("attached " + loop.device_path() + " to " + loop.backing.file,
                    sdbus::ObjectPath(loop_object_path(loop.index)));
    });
  };
}

}  // namespace

ManagerObject::ManagerObject(sdbus::IConnection& connection, BusServices& services,
                             CallerBoundMaps& bound_maps)
    : AdaptorInterfaces(connection, std::string(kManagerPath)),
      services_(services),
      bound_maps_(bound_maps) {
  registerAdaptor();
}

ManagerObject::~ManagerObject() {
  unregisterAdaptor();
}

void ManagerObject::announce_targets_changed() {
  emitPropertiesChangedSignal(std::string(kManagerInterface), {"Targets"});
}

void ManagerObject::CreateMap(sdbus::Result<sdbus::ObjectPath>&& result, std::string name,
                              std::string table, Options options) {
  auto call = MethodCall<sdbus::ObjectPath>::begin(std::move(result), getObject(), services_,
                                                   CallKind::Change, "CreateMap", name);
  call->guard([&] {
    const CallOptions checked = read_create_options(options, /*bindable=*/true);
    const bool bound = checked.flag("bind-to-caller");
    if (bound && checked.flag("persistent", false)) {
      throw Error(ErrorKind::InvalidArgument,
                  "create " + name +
                      ": bind-to-caller makes a map that is never stored; it cannot be persistent");
    }
    CreateMapRequest request =
        create_request(std::move(name), std::move(table), checked, call->caller().uid);
    request.persistent = request.persistent && !bound;
    call->authorize_then(checked, [&services = services_, &bound_maps = bound_maps_, call, bound,
                                   request = std::move(request)] {
      // Followed from before the map exists, so a caller that leaves at once is not missed.
      const std::string sender = call->caller().sender;
      if (bound)
        bound_maps.watch(sender);
      services.engine.create_map(
          request, [call, bound, sender, &bound_maps](Outcome<MapRecord> outcome) {
            if (!outcome.ok()) {
              if (bound)
                bound_maps.unwatch(sender);
              return call->fail(outcome.error());
            }
            const MapRecord& map = outcome.value();
            if (bound)
              bound_maps.bind(map.name, sender);
            call->about(map.name, map.uuid);
            call->guard([&] {
              call->succeed("created map " + map.name + " (" + to_string(map.size) + " sectors)",
                            sdbus::ObjectPath(map_object_path(map.name)));
            });
          });
    });
  });
}

void ManagerObject::CreateMaps(sdbus::Result<std::vector<sdbus::ObjectPath>>&& result,
                               std::vector<sdbus::Struct<std::string, std::string, Options>> maps,
                               Options options) {
  auto call = MethodCall<std::vector<sdbus::ObjectPath>>::begin(
      std::move(result), getObject(), services_, CallKind::Change, "CreateMaps", "");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options, {{"partial", OptionType::Boolean}});
    std::vector<CreateMapRequest> requests;
    for (std::size_t i = 0; i < maps.size(); ++i) {
      auto& map = maps[i];
      try {
        requests.push_back(create_request(std::move(map.get<0>()), std::move(map.get<1>()),
                                          read_create_options(map.get<2>()), call->caller().uid));
      } catch (const Error& e) {
        throw Error(e.kind(), "CreateMaps: map #" + std::to_string(i + 1) + ": " + e.what());
      }
    }
    const bool partial = checked.flag("partial");
    call->authorize_then(checked, [&services = services_, call, requests = std::move(requests),
                                   partial] {
      services.engine.create_maps(
          requests, partial, [call, &services](Outcome<CreatedMaps> outcome) {
            if (!outcome.ok())
              return call->fail(outcome.error());
            const CreatedMaps& created = outcome.value();
            // The reply has room only for the paths: what failed in a partial batch is logged.
            for (const BatchFailure& failure : created.failed) {
              services.log.write(LogLevel::Warning,
                                 "CreateMaps: map #" + std::to_string(failure.index + 1) + " '" +
                                     failure.name + "' was not made: " + failure.reason,
                                 {{"MAPPERD_METHOD", "CreateMaps"},
                                  {"MAPPERD_MAP", failure.name},
                                  {"MAPPERD_CALLER", call->caller().describe()}});
            }
            std::vector<sdbus::ObjectPath> paths;
            std::string names;
            for (const MapRecord& map : created.made) {
              call->note_for_map("created map " + map.name, map.name);
              paths.emplace_back(map_object_path(map.name));
              names += (names.empty() ? "" : ", ") + map.name;
            }
            call->guard([&] {
              call->succeed("created maps " + names +
                                (created.failed.empty()
                                     ? ""
                                     : " (" + std::to_string(created.failed.size()) + " failed)"),
                            paths);
            });
          });
    });
  });
}

void ManagerObject::RemoveMaps(sdbus::Result<>&& result, std::vector<sdbus::ObjectPath> maps,
                               Options options) {
  auto call = MethodCall<>::begin(std::move(result), getObject(), services_, CallKind::Change,
                                  "RemoveMaps", "");
  call->guard([&] {
    const CallOptions checked =
        CallOptions::read(options, {{"force", OptionType::Boolean},
                                    {"deferred", OptionType::Boolean},
                                    {"keep-definition", OptionType::Boolean},
                                    {"with-snapshots", OptionType::Boolean}});
    std::vector<std::string> names;
    for (const sdbus::ObjectPath& path : maps) {
      std::optional<std::string> name = map_name_of(path);
      if (!name) {
        throw Error(ErrorKind::InvalidArgument, "RemoveMaps: '" + std::string(path) +
                                                    "' is not a map object path (" +
                                                    std::string(kMapPathPrefix) + "/NAME)");
      }
      names.push_back(std::move(*name));
    }
    RemoveMapRequest request;
    request.kernel = RemoveOptions{checked.flag("force"), checked.flag("deferred")};
    request.keep_definition = checked.flag("keep-definition");
    request.with_snapshots = checked.flag("with-snapshots");
    call->authorize_then(checked, [&services = services_, call, names, request] {
      services.engine.remove_maps(names, request, [call, names](Outcome<Done> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        std::string list;
        for (const std::string& name : names) {
          call->note_for_map("removed map " + name, name);
          list += (list.empty() ? "" : ", ") + name;
        }
        call->succeed("removed maps " + list);
      });
    });
  });
}

void ManagerObject::CreateSnapshot(sdbus::Result<sdbus::ObjectPath>&& result, std::string origin,
                                   std::string name, std::string cow_device, Options options) {
  auto call = MethodCall<sdbus::ObjectPath>::begin(std::move(result), getObject(), services_,
                                                   CallKind::Change, "CreateSnapshot", name);
  call->guard([&] {
    const CallOptions checked =
        CallOptions::read(options, {{"persistent", OptionType::Boolean},
                                    {"chunk-size", OptionType::UInt64},
                                    {"cow-size", OptionType::UInt64},
                                    {"cow-percent", OptionType::UInt32},
                                    {"fill-thresholds", OptionType::UInt32Array},
                                    {"auto-extend", OptionType::Boolean},
                                    {"extend-percent", OptionType::UInt32}});
    CreateSnapshotRequest request;
    request.origin = std::move(origin);
    request.name = std::move(name);
    request.cow_device = std::move(cow_device);
    request.persistent = checked.flag("persistent", true);
    request.chunk_size = Sectors(checked.number("chunk-size").value_or(8));
    const auto cow_size = checked.number("cow-size");
    const auto cow_percent = checked.number32("cow-percent");
    if (cow_size && cow_percent) {
      throw Error(
          ErrorKind::InvalidArgument,
          "options 'cow-size' and 'cow-percent' both say how big the COW file is; give one");
    }
    if (cow_size || cow_percent) {
      if (cow_size && *cow_size == 0)
        throw Error(ErrorKind::InvalidArgument, "option 'cow-size' is 0 bytes");
      request.cow_file =
          CowFileSize{.bytes = cow_size.value_or(0), .percent_of_origin = cow_percent.value_or(0)};
    } else if (request.cow_device.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  "no COW: give a COW device, or the option 'cow-size' (t, bytes) or "
                  "'cow-percent' (u) for a COW file mapperd makes");
    }
    const auto thresholds = checked.numbers32("fill-thresholds");
    if (thresholds && thresholds->empty())
      throw Error(ErrorKind::InvalidArgument, "option 'fill-thresholds' is an empty list");
    if (thresholds)
      request.policy.fill_thresholds.assign(thresholds->begin(), thresholds->end());
    request.policy.auto_extend = checked.flag("auto-extend");
    request.policy.extend_percent =
        checked.number32("extend-percent").value_or(kDefaultExtendPercent);
    if (request.policy.auto_extend && !request.cow_file) {
      throw Error(ErrorKind::InvalidArgument,
                  "option 'auto-extend' grows only a COW file mapperd makes; give 'cow-size' or "
                  "'cow-percent' instead of a COW device");
    }
    request.caller_uid = call->caller().uid;
    call->authorize_then(checked, [&services = services_, call, request = std::move(request)] {
      services.engine.create_snapshot(
          request, [call, origin = request.origin](Outcome<MapRecord> outcome) {
            if (!outcome.ok())
              return call->fail(outcome.error());
            const MapRecord& map = outcome.value();
            call->about(map.name, map.uuid);
            call->guard([&] {
              call->succeed("created snapshot " + map.name + " of " + origin,
                            sdbus::ObjectPath(map_object_path(map.name)));
            });
          });
    });
  });
}

std::vector<sdbus::Struct<uint32_t, std::string, std::string>> ManagerObject::ValidateTable(
    const std::string& table) {
  return with_dbus_errors([&] {
    std::vector<sdbus::Struct<uint32_t, std::string, std::string>> problems;
    for (const TableProblem& problem : services_.engine.validate_table(table)) {
      problems.emplace_back(problem.line, problem.field, problem.reason);
    }
    return problems;
  });
}

void ManagerObject::AttachLoop(sdbus::Result<sdbus::ObjectPath>&& result, sdbus::UnixFd fd,
                               Options options) {
  auto call = MethodCall<sdbus::ObjectPath>::begin(std::move(result), getObject(), services_,
                                                   CallKind::Change, "AttachLoop", "");
  call->guard([&] {
    const CallOptions checked = read_loop_options(options);
    const AttachLoopRequest request = loop_request(checked, call->caller().uid);
    // Ours until the engine takes it; a refused call closes it when the call is dropped.
    auto file = std::make_shared<sdbus::UnixFd>(std::move(fd));
    call->authorize_then(checked, [&services = services_, call, request, file] {
      // sdbus::UnixFd holds a plain dup() of the descriptor the message carried, without
      // FD_CLOEXEC; the engine gets a close-on-exec copy of its own, and ours goes now.
      const int owned = ::fcntl(file->get(), F_DUPFD_CLOEXEC, 3);
      const int dup_errno = errno;
      file->reset();
      if (owned < 0) {
        throw Error(
            ErrorKind::Failed,
            std::string("AttachLoop: cannot take the descriptor: ") + std::strerror(dup_errno),
            dup_errno);
      }
      services.engine.attach_loop(owned, request, reply_with_loop(call));
    });
  });
}

void ManagerObject::AttachLoopFile(sdbus::Result<sdbus::ObjectPath>&& result, std::string path,
                                   Options options) {
  auto call = MethodCall<sdbus::ObjectPath>::begin(std::move(result), getObject(), services_,
                                                   CallKind::Change, "AttachLoopFile", "");
  call->guard([&] {
    const CallOptions checked = read_loop_options(options);
    const AttachLoopRequest request = loop_request(checked, call->caller().uid);
    // Root only (method_actions.cpp): authorize_then() refuses anyone else before polkit.
    call->authorize_then(checked, [&services = services_, call, request, path = std::move(path)] {
      services.engine.attach_loop_file(path, request, reply_with_loop(call));
    });
  });
}

std::vector<sdbus::Struct<std::string, std::string, std::string>> ManagerObject::ListDefinitions() {
  return with_dbus_errors([&] {
    std::vector<sdbus::Struct<std::string, std::string, std::string>> definitions;
    for (const DefinitionStatus& definition : services_.engine.definitions()) {
      definitions.emplace_back(definition.name, definition.state, definition.reason);
    }
    return definitions;
  });
}

std::string ManagerObject::Version() {
  return MAPPERD_VERSION;
}

std::string ManagerObject::KernelDriverVersion() {
  return with_dbus_errors([&] { return services_.engine.driver_version(); });
}

std::vector<sdbus::Struct<std::string, uint32_t>> ManagerObject::Targets() {
  return with_dbus_errors([&] {
    std::vector<sdbus::Struct<std::string, uint32_t>> targets;
    for (const TargetVersion& target : services_.engine.targets()) {
      targets.emplace_back(target.name, packed_version(target));
    }
    return targets;
  });
}

}  // namespace mapperd::bus
