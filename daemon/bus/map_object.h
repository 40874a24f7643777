#pragma once

#include <sdbus-c++/StandardInterfaces.h>
#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <string>
#include <vector>

#include "engine/map_record.h"
#include "mapperd-dbus/mapper1_adaptor.h"
#include "method_call.h"

namespace mapperd::bus {

// The D-Bus face of one exported map: /org/mapperd/Mapper1/map/<escaped name> with
// org.mapperd.Mapper1.Map. Properties are read from the engine's catalog, so they never wait on
// the kernel; OpenCount and the snapshot usage are the values the engine last read (at every
// change it made or saw, at each GetStatus, and for the usage at dm events and while the
// snapshot is written). Methods act through the engine.
//
// Constructing it does not export it: announce_added() does, then sends InterfacesAdded.
class MapObject final
    : public sdbus::AdaptorInterfaces<org::mapperd::Mapper1::Map_adaptor,
                                      sdbus::ManagedObject_adaptor, sdbus::Properties_adaptor> {
 public:
  MapObject(sdbus::IConnection& connection, BusServices& services, std::string name);
  ~MapObject();

  MapObject(const MapObject&) = delete;
  MapObject& operator=(const MapObject&) = delete;

  const std::string& map_name() const { return name_; }
  // Whether a method call on this object still waits for its reply. While one does, the object
  // must stay registered (see MethodCall::begin).
  bool answering_calls() const { return calls_in_flight_.use_count() > 1; }

  // Exports the object and emits InterfacesAdded with every interface and property.
  void announce_added();
  // Emits PropertiesChanged with the new values of `fields`.
  void announce_changed(const std::vector<MapField>& fields);
  // Emits InterfacesRemoved; the object is then unexported by its destructor.
  void announce_removed();
  // Emits FillThresholdCrossed(percent) and SnapshotInvalidated.
  void announce_fill_crossed(unsigned percent);
  void announce_invalidated();

 private:
  using Options = std::map<std::string, sdbus::Variant>;

  // org.mapperd.Mapper1.Map methods.
  void Remove(sdbus::Result<>&& result, Options options) override;
  void Suspend(sdbus::Result<>&& result, Options options) override;
  void Resume(sdbus::Result<>&& result, Options options) override;
  void Reload(sdbus::Result<>&& result, std::string table, Options options) override;
  void Rename(sdbus::Result<sdbus::ObjectPath>&& result, std::string new_name,
              Options options) override;
  void Message(sdbus::Result<std::string>&& result, uint64_t sector, std::string message,
               Options options) override;
  void GetStatus(sdbus::Result<std::string>&& result) override;
  void Merge(sdbus::Result<sdbus::ObjectPath>&& result, Options options) override;

  // org.mapperd.Mapper1.Map properties.
  std::string Name() override;
  std::string UUID() override;
  std::string DevicePath() override;
  uint64_t DeviceNumber() override;
  uint64_t Size() override;
  std::string Table() override;
  std::string State() override;
  bool ReadOnly() override;
  bool Persistent() override;
  int32_t OpenCount() override;
  std::vector<std::string> Dependencies() override;
  std::vector<std::string> MissingDevices() override;
  bool Owned() override;
  uint32_t CreatedByUID() override;
  sdbus::ObjectPath SnapshotOrigin() override;
  std::vector<sdbus::ObjectPath> Snapshots() override;
  uint64_t AllocatedSectors() override;
  uint64_t TotalSectors() override;
  uint64_t MetadataSectors() override;
  double FillPercent() override;
  bool Invalid() override;
  bool MergePending() override;
  std::vector<uint32_t> FillThresholds() override;
  std::string CowFile() override;
  bool AutoExtend() override;
  uint32_t ExtendPercent() override;

  // The catalog's record of this map; Error(NotFound) when it is gone.
  const MapRecord& record() const;
  // Runs `act(call)` for a method that changes the map, after options and authorization.
  template <class... Results>
  typename MethodCall<Results...>::Pointer begin(sdbus::Result<Results...>&& result, CallKind kind,
                                                 std::string method);

  BusServices& services_;
  std::string name_;
  // Shared with every MethodCall on this object until it is answered.
  std::shared_ptr<const int> calls_in_flight_ = std::make_shared<const int>(0);
};

// "UUID", "DeviceNumber", ...: the D-Bus properties a record field is shown as (the usage is
// several).
std::vector<std::string> map_property_names(MapField field);

}  // namespace mapperd::bus
