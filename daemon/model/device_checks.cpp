#include "device_checks.h"

#include <string>

namespace mapperd {
namespace {

std::optional<DeviceNumber> resolve(const DeviceRef& device, std::string field,
                                    const BlockDevices& devices, LineProblems& problems) {
  std::optional<DeviceNumber> number = devices.resolve(device);
  if (!number)
    problems.add_missing_device(std::move(field), "no such block device " + device.text());
  return number;
}

// `end` is the first sector past what the segment maps of `device`, spelled out in `what`.
void check_fits(const DeviceRef& device, DeviceNumber number, Sectors end, const std::string& what,
                const BlockDevices& devices, LineProblems& problems) {
  const std::optional<Sectors> size = devices.size_of(number);
  if (size && end > *size) {
    problems.add("length", what + " runs past the end of " + device.text() + " (" +
                               to_string(*size) + " sectors)");
  }
}

// The parser has already refused offsets whose sums overflow, so plain addition is safe here.
void check(const LinearTarget& t, Sectors length, const BlockDevices& devices,
           LineProblems& problems) {
  if (std::optional<DeviceNumber> number = resolve(t.device, "device", devices, problems)) {
    check_fits(t.device, *number, t.offset + length,
               "offset " + to_string(t.offset) + " + length " + to_string(length), devices,
               problems);
  }
}

void check(const StripedTarget& t, Sectors length, const BlockDevices& devices,
           LineProblems& problems) {
  const Sectors per_stripe(length.count() / t.stripes.size());
  for (const Stripe& stripe : t.stripes) {
    if (std::optional<DeviceNumber> number = resolve(stripe.device, "device", devices, problems)) {
      check_fits(
          stripe.device, *number, stripe.offset + per_stripe,
          "offset " + to_string(stripe.offset) + " + length per stripe " + to_string(per_stripe),
          devices, problems);
    }
  }
}

void check(const SnapshotOriginTarget& t, Sectors length, const BlockDevices& devices,
           LineProblems& problems) {
  if (std::optional<DeviceNumber> number = resolve(t.origin, "origin", devices, problems)) {
    check_fits(t.origin, *number, length, "length " + to_string(length), devices, problems);
  }
}

void check(const SnapshotTarget& t, Sectors, const BlockDevices& devices, LineProblems& problems) {
  const std::optional<DeviceNumber> origin = resolve(t.origin, "origin", devices, problems);
  const std::optional<DeviceNumber> cow = resolve(t.cow, "COW device", devices, problems);
  // dm-snap refuses this too, but only after the map exists; say it before.
  if (origin && cow && *origin == *cow) {
    problems.add("COW device", "the COW device " + t.cow.text() + " is the origin itself (" +
                                   origin->to_string() + ")");
  }
}

void check(const ZeroTarget&, Sectors, const BlockDevices&, LineProblems&) {}
void check(const ErrorTarget&, Sectors, const BlockDevices&, LineProblems&) {}
// Their arguments are the kernel's to read; we cannot tell which of them are devices.
void check(const PassthroughTarget&, Sectors, const BlockDevices&, LineProblems&) {}

}  // namespace

void check_segment_devices(const Segment& segment, const BlockDevices& devices,
                           LineProblems& problems) {
  std::visit([&](const auto& target) { check(target, segment.length, devices, problems); },
             segment.target);
}

}  // namespace mapperd
