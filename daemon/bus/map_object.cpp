#include "map_object.h"

#include "device_number_value.h"
#include "engine/engine.h"
#include "model/error.h"
#include "model/key_masking.h"
#include "object_paths.h"

namespace mapperd::bus {
namespace {

sdbus::ObjectPath path_or_root(const std::optional<std::string>& name) {
  return sdbus::ObjectPath(name ? map_object_path(*name) : "/");
}

}  // namespace

std::vector<std::string> map_property_names(MapField field) {
  switch (field) {
    case MapField::Uuid:
      return {"UUID"};
    case MapField::Device:
      return {"DeviceNumber"};
    case MapField::Size:
      return {"Size"};
    case MapField::Table:
      return {"Table"};
    case MapField::State:
      return {"State"};
    case MapField::ReadOnly:
      return {"ReadOnly"};
    case MapField::Persistent:
      return {"Persistent"};
    case MapField::Dependencies:
      return {"Dependencies"};
    case MapField::MissingDevices:
      return {"MissingDevices"};
    case MapField::Owned:
      return {"Owned"};
    case MapField::CreatedByUid:
      return {"CreatedByUID"};
    case MapField::Origin:
      return {"SnapshotOrigin"};
    case MapField::Snapshots:
      return {"Snapshots"};
    case MapField::MergePending:
      return {"MergePending"};
    case MapField::Usage:
      return {"AllocatedSectors", "TotalSectors", "MetadataSectors", "FillPercent", "Invalid"};
  }
  return {"State"};
}

MapObject::MapObject(sdbus::IConnection& connection, BusServices& services, std::string name)
    : AdaptorInterfaces(connection, map_object_path(name)),
      services_(services),
      name_(std::move(name)) {}

// sdbus-c++ requires adaptors to unregister before their members go.
MapObject::~MapObject() {
  unregisterAdaptor();
}

void MapObject::announce_added() {
  registerAdaptor();
  emitInterfacesAddedSignal();
}

void MapObject::announce_changed(const std::vector<MapField>& fields) {
  std::vector<std::string> names;
  for (MapField field : fields) {
    for (std::string& name : map_property_names(field))
      names.push_back(std::move(name));
  }
  emitPropertiesChangedSignal(std::string(kMapInterface), names);
}

void MapObject::announce_fill_crossed(unsigned percent) {
  emitFillThresholdCrossed(percent);
}

void MapObject::announce_invalidated() {
  emitSnapshotInvalidated();
}

void MapObject::announce_removed() {
  emitInterfacesRemovedSignal();
}

const MapRecord& MapObject::record() const {
  const MapRecord* record = services_.engine.catalog().find_visible(name_);
  if (record == nullptr)
    throw Error(ErrorKind::NotFound, "map '" + name_ + "' is gone");
  return *record;
}

template <class... Results>
typename MethodCall<Results...>::Pointer MapObject::begin(sdbus::Result<Results...>&& result,
                                                          CallKind kind, std::string method) {
  auto call = MethodCall<Results...>::begin(std::move(result), getObject(), services_, kind,
                                            std::move(method), name_, calls_in_flight_);
  call->guard([&] { call->about(name_, record().uuid); });
  return call;
}

// Methods. Each: read and check the arguments, authorize, act through the engine, reply once the
// engine completed (by then the catalog and the objects show the result and the signals are sent).
// The continuations capture the map's name, never `this`: a removal or a rename destroys this
// object before its own completion runs, and an authorizer may answer after the map is gone.

void MapObject::Remove(sdbus::Result<>&& result, Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Remove");
  call->guard([&] {
    const CallOptions checked =
        CallOptions::read(options, {{"force", OptionType::Boolean},
                                    {"deferred", OptionType::Boolean},
                                    {"keep-definition", OptionType::Boolean},
                                    {"with-snapshots", OptionType::Boolean}});
    RemoveMapRequest request;
    request.name = name_;
    request.kernel = RemoveOptions{checked.flag("force"), checked.flag("deferred")};
    request.keep_definition = checked.flag("keep-definition");
    request.with_snapshots = checked.flag("with-snapshots");
    call->authorize_then(checked, [&services = services_, call, request] {
      services.engine.remove_map(request, [call, request](Outcome<Done> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        call->succeed(request.keep_definition
                          ? "deactivated map " + request.name + " (its definition is kept)"
                          : "removed map " + request.name);
      });
    });
  });
}

void MapObject::Suspend(sdbus::Result<>&& result, Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Suspend");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options, {{"noflush", OptionType::Boolean}});
    const bool noflush = checked.flag("noflush");
    call->authorize_then(checked, [&services = services_, name = name_, call, noflush] {
      services.engine.suspend_map(name, noflush, [call, name](Outcome<Done> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        call->succeed("suspended map " + name);
      });
    });
  });
}

void MapObject::Resume(sdbus::Result<>&& result, Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Resume");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options);
    call->authorize_then(checked, [&services = services_, name = name_, call] {
      services.engine.resume_map(name, [call, name](Outcome<Done> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        call->succeed("resumed map " + name);
      });
    });
  });
}

void MapObject::Reload(sdbus::Result<>&& result, std::string table, Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Reload");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options);
    call->authorize_then(
        checked, [&services = services_, name = name_, call, table = std::move(table)] {
          services.engine.reload_map(name, table, [call, name](Outcome<Done> outcome) {
            if (!outcome.ok())
              return call->fail(outcome.error());
            call->succeed("reloaded map " + name);
          });
        });
  });
}

void MapObject::Rename(sdbus::Result<sdbus::ObjectPath>&& result, std::string new_name,
                       Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Rename");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options);
    call->authorize_then(
        checked, [&services = services_, name = name_, call, new_name = std::move(new_name)] {
          services.engine.rename_map(
              name, new_name, [call, old_name = name](Outcome<MapRecord> outcome) {
                if (!outcome.ok())
                  return call->fail(outcome.error());
                call->guard([&] {
                  call->succeed("renamed map " + old_name + " to " + outcome.value().name,
                                sdbus::ObjectPath(map_object_path(outcome.value().name)));
                });
              });
        });
  });
}

void MapObject::Merge(sdbus::Result<sdbus::ObjectPath>&& result, Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Merge");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options, {{"now", OptionType::Boolean}});
    MergeRequest request{
        .snapshot = name_, .now = checked.flag("now"), .caller_uid = call->caller().uid};
    call->authorize_then(checked, [&services = services_, call, request] {
      services.engine.merge_snapshot(request, [call, request](Outcome<MergeStarted> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        const MergeStarted& started = outcome.value();
        if (started.deferred()) {
          return call->succeed("merge of snapshot " + request.snapshot +
                                   " deferred: its origin or itself is open; it starts at the "
                                   "next activation",
                               sdbus::ObjectPath("/"));
        }
        call->succeed(
            "merging snapshot " + request.snapshot + " (job " + std::to_string(*started.job) + ")",
            sdbus::ObjectPath(job_object_path(*started.job)));
      });
    });
  });
}

void MapObject::Message(sdbus::Result<std::string>&& result, uint64_t sector, std::string message,
                        Options options) {
  auto call = begin(std::move(result), CallKind::Change, "Message");
  call->guard([&] {
    const CallOptions checked = CallOptions::read(options);
    call->authorize_then(
        checked, [&services = services_, name = name_, call, sector, message = std::move(message)] {
          services.engine.send_message(
              name, Sectors(sector), message, [call, name, message](Outcome<std::string> outcome) {
                if (!outcome.ok())
                  return call->fail(outcome.error());
                // The log goes to the journal: dm-crypt's "key set <key>" without the key.
                call->succeed("sent message '" + mask_message_keys(message) + "' to map " + name,
                              outcome.value());
              });
        });
  });
}

void MapObject::GetStatus(sdbus::Result<std::string>&& result) {
  auto call = begin(std::move(result), CallKind::Read, "GetStatus");
  call->guard([&] {
    std::optional<PerUserLimit::Ticket> ticket = services_.status_reads->take(call->caller().uid);
    if (!ticket) {
      throw Error(ErrorKind::Busy,
                  "GetStatus " + name_ + ": " + call->caller().describe() + " has " +
                      std::to_string(services_.status_reads->per_user()) +
                      " status reads waiting for the kernel already, as many as one user may; "
                      "wait for their replies");
    }
    // Held until the engine answers, whatever it answers.
    auto held = std::make_shared<PerUserLimit::Ticket>(std::move(*ticket));
    call->authorize_then(CallOptions{}, [&services = services_, name = name_, call, held] {
      services.engine.read_status(name, [call, held](Outcome<std::string> outcome) {
        if (!outcome.ok())
          return call->fail(outcome.error());
        call->succeed({}, outcome.value());
      });
    });
  });
}

// Properties: the catalog's values, never a kernel call.

std::string MapObject::Name() {
  return with_dbus_errors([&] { return record().name; });
}
std::string MapObject::UUID() {
  return with_dbus_errors([&] { return record().uuid; });
}
std::string MapObject::DevicePath() {
  return with_dbus_errors([&] { return record().device_path(); });
}
uint64_t MapObject::DeviceNumber() {
  return with_dbus_errors([&] { return device_number_value(record().device); });
}
uint64_t MapObject::Size() {
  return with_dbus_errors([&] { return record().size.count(); });
}
std::string MapObject::Table() {
  // Any local user reads properties: no key leaves the daemon, stored or running.
  return with_dbus_errors([&] { return mask_table_keys(record().table); });
}
std::string MapObject::State() {
  return with_dbus_errors([&] { return std::string(map_state_name(record().state)); });
}
bool MapObject::ReadOnly() {
  return with_dbus_errors([&] { return record().read_only; });
}
bool MapObject::Persistent() {
  return with_dbus_errors([&] { return record().persistent; });
}
int32_t MapObject::OpenCount() {
  return with_dbus_errors([&] { return record().open_count; });
}
std::vector<std::string> MapObject::Dependencies() {
  return with_dbus_errors([&] {
    std::vector<std::string> devices;
    for (const mapperd::DeviceNumber& device : record().dependencies) {
      devices.push_back(device.to_string());
    }
    return devices;
  });
}
std::vector<std::string> MapObject::MissingDevices() {
  return with_dbus_errors([&] { return record().missing_devices; });
}
bool MapObject::Owned() {
  return with_dbus_errors([&] { return record().owned; });
}
uint32_t MapObject::CreatedByUID() {
  return with_dbus_errors([&] { return record().created_by_uid; });
}
sdbus::ObjectPath MapObject::SnapshotOrigin() {
  return with_dbus_errors([&] { return path_or_root(record().origin); });
}
std::vector<sdbus::ObjectPath> MapObject::Snapshots() {
  return with_dbus_errors([&] {
    std::vector<sdbus::ObjectPath> paths;
    for (const std::string& snapshot : record().snapshots) {
      paths.emplace_back(map_object_path(snapshot));
    }
    return paths;
  });
}
uint64_t MapObject::AllocatedSectors() {
  return with_dbus_errors([&] { return record().usage ? record().usage->allocated.count() : 0; });
}
uint64_t MapObject::TotalSectors() {
  return with_dbus_errors([&] { return record().usage ? record().usage->total.count() : 0; });
}
uint64_t MapObject::MetadataSectors() {
  return with_dbus_errors([&] { return record().usage ? record().usage->metadata.count() : 0; });
}
bool MapObject::MergePending() {
  return with_dbus_errors([&] { return record().merge_pending; });
}

std::vector<uint32_t> MapObject::FillThresholds() {
  return with_dbus_errors([&] {
    const MapRecord& map = record();
    if (!map.origin)
      return std::vector<uint32_t>{};
    const std::vector<unsigned> thresholds = fill_thresholds_of(map.snapshot_policy);
    return std::vector<uint32_t>(thresholds.begin(), thresholds.end());
  });
}

std::string MapObject::CowFile() {
  return with_dbus_errors([&] { return services_.engine.cow_file_of(record()); });
}

bool MapObject::AutoExtend() {
  return with_dbus_errors([&] { return record().snapshot_policy.auto_extend; });
}

uint32_t MapObject::ExtendPercent() {
  return with_dbus_errors([&] { return record().snapshot_policy.extend_percent; });
}

double MapObject::FillPercent() {
  return with_dbus_errors([&] { return record().usage ? fill_percent(*record().usage) : 0.0; });
}

bool MapObject::Invalid() {
  return with_dbus_errors([&] { return record().usage && record().usage->invalid; });
}

}  // namespace mapperd::bus
