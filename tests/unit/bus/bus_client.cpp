#include "bus_client.h"

#include "bus/object_paths.h"

namespace mapperd::testing {

std::string map_path(const std::string& name) {
  return bus::map_object_path(name);
}

BusClient::BusClient(const std::string& bus_address)
    : connection_(sdbus::createSessionBusConnectionWithAddress(bus_address)) {
  match_ = connection_->addMatch("type='signal',sender='org.mapperd.Mapper1'",
                                 [this](sdbus::Message& message) { record(message); });
}

void BusClient::record(sdbus::Message& message) {
  RecordedSignal signal;
  signal.member = message.getMemberName();
  if (signal.member == "InterfacesAdded") {
    sdbus::ObjectPath path;
    message >> path >> signal.added;
    signal.path = path;
  } else if (signal.member == "InterfacesRemoved") {
    sdbus::ObjectPath path;
    message >> path >> signal.removed;
    signal.path = path;
  } else if (signal.member == "PropertiesChanged") {
    signal.path = message.getPath();
    message >> signal.changed_interface >> signal.changed >> signal.invalidated;
  } else {
    signal.path = message.getPath();
  }
  signals_.push_back(std::move(signal));
}

void BusClient::dispatch() {
  while (connection_->processPendingRequest()) {
  }
}

std::vector<RecordedSignal> BusClient::take_signals() {
  dispatch();
  std::vector<RecordedSignal> taken = std::move(signals_);
  signals_.clear();
  return taken;
}

sdbus::ObjectPath BusClient::create_map(const std::string& name, const std::string& table,
                                        const Properties& options) {
  sdbus::ObjectPath path;
  call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "CreateMap", std::tie(path), name,
       table, options);
  return path;
}

sdbus::ObjectPath BusClient::create_snapshot(const std::string& origin, const std::string& name,
                                             const std::string& cow, const Properties& options) {
  sdbus::ObjectPath path;
  call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "CreateSnapshot", std::tie(path),
       origin, name, cow, options);
  return path;
}

void BusClient::map_call(const std::string& name, const std::string& method,
                         const Properties& options) {
  call(map_path(name), "org.mapperd.Mapper1.Map", method, std::tie(), options);
}

sdbus::Variant BusClient::get(const std::string& path, const std::string& interface,
                              const std::string& property) {
  sdbus::Variant value;
  call(path, "org.freedesktop.DBus.Properties", "Get", std::tie(value), interface, property);
  return value;
}

Properties BusClient::get_all(const std::string& path, const std::string& interface) {
  Properties values;
  call(path, "org.freedesktop.DBus.Properties", "GetAll", std::tie(values), interface);
  return values;
}

std::map<sdbus::ObjectPath, Interfaces> BusClient::managed_objects() {
  std::map<sdbus::ObjectPath, Interfaces> objects;
  call("/org/mapperd/Mapper1", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
       std::tie(objects));
  return objects;
}

}  // namespace mapperd::testing
