#include "udev/block_device_events.h"

#include <libudev.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <string>

namespace mapperd {
namespace {

std::string text_or_empty(const char* text) {
  return text != nullptr ? std::string(text) : std::string();
}

// <syspath>/size in sectors; nothing when it cannot be read (a removed device).
std::optional<std::uint64_t> read_size(const std::string& syspath) {
  std::ifstream file(syspath + "/size");
  std::string text;
  if (syspath.empty() || !(file >> text))
    return std::nullopt;
  std::uint64_t sectors = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sectors);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return sectors;
}

// What the event says, with the device's state read now: a loop device bound or unbound since
// the event was sent shows its state as it is, which is what the caller acts on.
UdevBlockEvent facts_of(udev_device& device) {
  UdevBlockEvent event;
  event.action = text_or_empty(udev_device_get_action(&device));
  event.sysname = text_or_empty(udev_device_get_sysname(&device));
  event.devnode = text_or_empty(udev_device_get_devnode(&device));
  const dev_t number = udev_device_get_devnum(&device);
  event.number = DeviceNumber{::major(number), ::minor(number)};
  event.initialized = udev_device_get_is_initialized(&device) > 0;
  const std::string syspath = text_or_empty(udev_device_get_syspath(&device));
  if (event.action != "remove") {
    event.size = read_size(syspath);
    if (is_loop_name(event.sysname))
      event.loop_bound = ::access((syspath + "/loop/backing_file").c_str(), F_OK) == 0;
  }
  return event;
}

}  // namespace

BlockDeviceEventBatch BlockDeviceEvents::drain() {
  BlockDeviceEventBatch batch;
  batch.overflowed = monitor_.drain([this, &batch](udev_device& device) {
    if (std::optional<BlockDeviceEvent> event = translator_.translate(facts_of(device)))
      batch.events.push_back(std::move(*event));
  });
  if (batch.overflowed)
    translator_.forget();
  return batch;
}

}  // namespace mapperd
