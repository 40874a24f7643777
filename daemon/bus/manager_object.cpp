#include "manager_object.h"

#include "engine/engine.h"
#include "model/error.h"
#include "object_paths.h"

namespace mapperd::bus {
namespace {

// As the kernel's KERNEL_VERSION() packs a version, and dmsetup targets shows it unpacked.
std::uint32_t packed_version(const TargetVersion& target) {
  return (target.major << 16) | (target.minor << 8) | target.patch;
}

}  // namespace

ManagerObject::ManagerObject(sdbus::IConnection& connection, BusServices& services)
    : AdaptorInterfaces(connection, std::string(kManagerPath)), services_(services) {
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
    const CallOptions checked = CallOptions::read(options, {{"uuid", OptionType::String},
                                                            {"read-only", OptionType::Boolean},
                                                            {"persistent", OptionType::Boolean}});
    CreateMapRequest request;
    request.name = std::move(name);
    request.table = std::move(table);
    request.uuid = checked.text("uuid").value_or("");
    request.read_only = checked.flag("read-only");
    request.persistent = checked.flag("persistent", true);
    request.caller_uid = call->caller().uid;
    call->authorize_then(checked, [&services = services_, call, request = std::move(request)] {
      services.engine.create_map(request, [call](Outcome<MapRecord> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        const MapRecord& map = outcome.value();
        call->about(map.name, map.uuid);
        call->guard([&] {
          call->succeed("created map " + map.name + " (" + to_string(map.size) + " sectors)",
                        sdbus::ObjectPath(map_object_path(map.name)));
        });
      });
    });
  });
}

void ManagerObject::CreateSnapshot(sdbus::Result<sdbus::ObjectPath>&& result, std::string origin,
                                   std::string name, std::string cow_device, Options options) {
  auto call = MethodCall<sdbus::ObjectPath>::begin(std::move(result), getObject(), services_,
                                                   CallKind::Change, "CreateSnapshot", name);
  call->guard([&] {
    const CallOptions checked = CallOptions::read(
        options, {{"persistent", OptionType::Boolean}, {"chunk-size", OptionType::UInt64}});
    CreateSnapshotRequest request;
    request.origin = std::move(origin);
    request.name = std::move(name);
    request.cow_device = std::move(cow_device);
    request.persistent = checked.flag("persistent", true);
    request.chunk_size = Sectors(checked.number("chunk-size").value_or(8));
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
