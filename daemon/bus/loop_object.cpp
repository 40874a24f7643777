#include "loop_object.h"

#include "device_number_value.h"
#include "engine/engine.h"
#include "object_paths.h"

namespace mapperd::bus {

LoopObject::LoopObject(sdbus::IConnection& connection, BusServices& services, LoopRecord loop)
    : AdaptorInterfaces(connection, loop_object_path(loop.index)),
      services_(services),
      loop_(std::move(loop)) {}

// sdbus-c++ requires adaptors to unregister before their members go.
LoopObject::~LoopObject() {
  unregisterAdaptor();
}

void LoopObject::announce_added() {
  registerAdaptor();
  emitInterfacesAddedSignal();
}

void LoopObject::announce_removed() {
  emitInterfacesRemovedSignal();
}

// As MapObject's methods: check the options, authorize, act through the engine, and reply once
// it completed (the object is announced removed by then). The continuation captures the index,
// never `this`: a detach retires this object before its completion runs.
void LoopObject::Detach(sdbus::Result<>&& result, Options options) {
  auto call = MethodCall<>::begin(std::move(result), getObject(), services_, CallKind::Change,
                                  "Detach", "", calls_in_flight_);
  call->about_loop(loop_.device_path());
  call->guard([&] {
    const CallOptions checked =
        CallOptions::read(options, {{"keep-definition", OptionType::Boolean}});
    const bool keep_definition = checked.flag("keep-definition");
    call->authorize_then(checked, [&services = services_, index = loop_.index, call,
                                   keep_definition, device = loop_.device_path()] {
      services.engine.detach_loop(
          index, keep_definition, [call, device, keep_definition](Outcome<Done> outcome) {
            if (!outcome.ok())
              return call->fail(outcome.error());
            call->succeed(keep_definition ? "detached " + device + " (its definition is kept)"
                                          : "detached " + device);
          });
    });
  });
}

// Properties: the record as announced, never a kernel call.

std::string LoopObject::BackingFile() {
  return loop_.backing.file;
}
std::string LoopObject::Device() {
  return loop_.device_path();
}
uint64_t LoopObject::DeviceNumber() {
  return device_number_value(loop_.device);
}
uint64_t LoopObject::Offset() {
  return loop_.backing.offset;
}
uint64_t LoopObject::Size() {
  return loop_.backing.size_limit;
}
bool LoopObject::ReadOnly() {
  return loop_.backing.read_only;
}
bool LoopObject::Persistent() {
  return loop_.persistent;
}
uint64_t LoopObject::Inode() {
  return loop_.backing.inode;
}
uint32_t LoopObject::CreatedByUID() {
  return loop_.created_by_uid;
}
std::vector<std::string> LoopObject::Warnings() {
  return loop_.warnings;
}

}  // namespace mapperd::bus
