#pragma once

#include <sdbus-c++/StandardInterfaces.h>
#include <sdbus-c++/sdbus-c++.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/loop_record.h"
#include "mapperd-dbus/mapper1_adaptor.h"
#include "method_call.h"

namespace mapperd::bus {

// The D-Bus face of one loop device mapperd attached: /org/mapperd/Mapper1/loop/N with
// org.mapperd.Mapper1.Loop. Its properties are the engine's record of the loop as announced:
// they are fixed while it is attached (the engine announces a loop only as added or removed, and
// the properties are EmitsChangedSignal=const), so the object keeps that record. Detach acts
// through the engine.
//
// Constructing it does not export it: announce_added() does, then sends InterfacesAdded.
class LoopObject final
    : public sdbus::AdaptorInterfaces<org::mapperd::Mapper1::Loop_adaptor,
                                      sdbus::ManagedObject_adaptor, sdbus::Properties_adaptor> {
 public:
  LoopObject(sdbus::IConnection& connection, BusServices& services, LoopRecord loop);
  ~LoopObject();

  LoopObject(const LoopObject&) = delete;
  LoopObject& operator=(const LoopObject&) = delete;

  std::uint32_t loop_index() const { return loop_.index; }
  // The record its properties show.
  const LoopRecord& record() const { return loop_; }
  // As MapObject::answering_calls(): the object stays registered while a call waits.
  bool answering_calls() const { return calls_in_flight_.use_count() > 1; }

  // Exports the object and emits InterfacesAdded with every property.
  void announce_added();
  // Emits InterfacesRemoved; the object is then unexported by its destructor.
  void announce_removed();

 private:
  using Options = std::map<std::string, sdbus::Variant>;

  // org.mapperd.Mapper1.Loop methods.
  void Detach(sdbus::Result<>&& result, Options options) override;

  // org.mapperd.Mapper1.Loop properties.
  std::string BackingFile() override;
  std::string Device() override;
  uint64_t DeviceNumber() override;
  uint64_t Offset() override;
  uint64_t Size() override;
  bool ReadOnly() override;
  bool Persistent() override;
  uint64_t Inode() override;
  uint32_t CreatedByUID() override;
  std::vector<std::string> Warnings() override;

  BusServices& services_;
  const LoopRecord loop_;
  // Shared with every MethodCall on this object until it is answered.
  std::shared_ptr<const int> calls_in_flight_ = std::make_shared<const int>(0);
};

}  // namespace mapperd::bus
