#include "bus_client.h"

#include <algorithm>
#include <thread>

#include "bus/object_paths.h"

namespace mapperd::testing {

std::string map_path(const std::string& name) {
  return bus::map_object_path(name);
}

std::string loop_path(std::uint32_t index) {
  return bus::loop_object_path(index);
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
  } else if (signal.member == "Completed") {
    signal.path = message.getPath();
    message >> signal.success >> signal.message;
  } else {
    signal.path = message.getPath();
  }
  signals_.push_back(std::move(signal));
}

void BusClient::dispatch() {
  while (connection_->processPendingRequest()) {
  }
}

std::vector<RecordedSignal> BusClient::wait_for_signal(
    const std::function<bool(const RecordedSignal&)>& wanted, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    dispatch();
    if (std::any_of(signals_.begin(), signals_.end(), wanted))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return take_signals();
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

sdbus::ObjectPath BusClient::attach_loop(int fd, const Properties& options) {
  sdbus::ObjectPath path;
  call(kManager, kManagerInterface, "AttachLoop", std::tie(path), sdbus::UnixFd(fd), options);
  return path;
}

sdbus::ObjectPath BusClient::attach_loop_file(const std::string& file, const Properties& options) {
  sdbus::ObjectPath path;
  call(kManager, kManagerInterface, "AttachLoopFile", std::tie(path), file, options);
  return path;
}

void BusClient::detach_loop(const std::string& path, const Properties& options) {
  call(path, kLoopInterface, "Detach", std::tie(), options);
}

std::vector<sdbus::Struct<std::string, std::string, std::string>> BusClient::list_definitions() {
  std::vector<sdbus::Struct<std::string, std::string, std::string>> definitions;
  call(kManager, kManagerInterface, "ListDefinitions", std::tie(definitions));
  return definitions;
}

std::vector<std::string> keys_of(const Properties& properties) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : properties)
    keys.push_back(key);
  return keys;
}

std::vector<std::string> members_of(const std::vector<RecordedSignal>& signals) {
  std::vector<std::string> members;
  for (const RecordedSignal& s : signals)
    members.push_back(s.member + " " + s.path);
  return members;
}

}  // namespace mapperd::testing
