#include "udev/block_event_translation.h"

#include "model/loop_index.h"

namespace mapperd {

bool is_loop_name(const std::string& sysname) {
  return parse_loop_index(sysname).has_value();
}

bool is_ready(const UdevBlockEvent& event) {
  if (is_loop_name(event.sysname) && !event.loop_bound)
    return false;
  return event.size.value_or(0) > 0;
}

std::optional<BlockDeviceEvent> translate(const UdevBlockEvent& event, bool known_ready) {
  if (!event.initialized)
    return std::nullopt;
  BlockDeviceEvent result;
  result.number = event.number;
  result.path = event.devnode;
  result.is_loop = is_loop_name(event.sysname);
  result.loop_bound = result.is_loop && event.loop_bound;

  if (event.action == "remove") {
    result.action = BlockDeviceEvent::Action::Vanished;
    result.loop_bound = false;
    return result;
  }
  if (event.action != "add" && event.action != "change" && event.action != "move")
    return std::nullopt;  // bind, unbind, online, offline: nothing about the block device
  if (is_ready(event)) {
    result.action =
        known_ready ? BlockDeviceEvent::Action::Changed : BlockDeviceEvent::Action::Appeared;
    return result;
  }
  // Not usable: a fresh device waiting for its file or table says nothing yet; anything else
  // (a loop device unbound, a medium gone) is no longer there.
  if (event.action == "add" && !known_ready)
    return std::nullopt;
  result.action = BlockDeviceEvent::Action::Vanished;
  return result;
}

std::optional<BlockDeviceEvent> BlockEventTranslator::translate(const UdevBlockEvent& event) {
  std::optional<BlockDeviceEvent> result = mapperd::translate(event, ready_.contains(event.number));
  if (result) {
    if (result->action == BlockDeviceEvent::Action::Vanished)
      ready_.erase(event.number);
    else
      ready_.insert(event.number);
  }
  return result;
}

}  // namespace mapperd
