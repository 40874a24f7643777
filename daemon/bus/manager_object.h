#pragma once

#include <sdbus-c++/StandardInterfaces.h>
#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <string>
#include <vector>

#include "mapperd-dbus/mapper1_adaptor.h"
#include "caller_bound_maps.h"
#include "method_call.h"

namespace mapperd::bus {

// The D-Bus face of the engine as a whole: /org/mapperd/Mapper1 with
// org.mapperd.Mapper1.Manager and org.freedesktop.DBus.ObjectManager (which sends
// InterfacesAdded/InterfacesRemoved for the map and loop objects below it). Exported on
// construction.
class ManagerObject final
    : public sdbus::AdaptorInterfaces<org::mapperd::Mapper1::Manager_adaptor,
                                      sdbus::ObjectManager_adaptor, sdbus::Properties_adaptor> {
 public:
  ManagerObject(sdbus::IConnection& connection, BusServices& services,
                CallerBoundMaps& bound_maps);
  ~ManagerObject();

  ManagerObject(const ManagerObject&) = delete;
  ManagerObject& operator=(const ManagerObject&) = delete;

  // Emits PropertiesChanged for Targets.
  void announce_targets_changed();

 private:
  using Options = std::map<std::string, sdbus::Variant>;

  // org.mapperd.Mapper1.Manager methods.
  void CreateMap(sdbus::Result<sdbus::ObjectPath>&& result, std::string name, std::string table,
                 Options options) override;
  void CreateMaps(sdbus::Result<std::vector<sdbus::ObjectPath>>&& result,
                  std::vector<sdbus::Struct<std::string, std::string, Options>> maps,
                  Options options) override;
  void RemoveMaps(sdbus::Result<>&& result, std::vector<sdbus::ObjectPath> maps,
                  Options options) override;
  void CreateSnapshot(sdbus::Result<sdbus::ObjectPath>&& result, std::string origin,
                      std::string name, std::string cow_device, Options options) override;
  std::vector<sdbus::Struct<uint32_t, std::string, std::string>> ValidateTable(
      const std::string& table) override;
  void AttachLoop(sdbus::Result<sdbus::ObjectPath>&& result, sdbus::UnixFd fd,
                  Options options) override;
  void AttachLoopFile(sdbus::Result<sdbus::ObjectPath>&& result, std::string path,
                      Options options) override;
  std::vector<sdbus::Struct<std::string, std::string, std::string>> ListDefinitions() override;

  // org.mapperd.Mapper1.Manager properties.
  std::string Version() override;
  std::string KernelDriverVersion() override;
  std::vector<sdbus::Struct<std::string, uint32_t>> Targets() override;

  BusServices& services_;
  CallerBoundMaps& bound_maps_;
};

}  // namespace mapperd::bus
