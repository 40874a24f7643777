#include "table.h"

#include <algorithm>

namespace mapperd {
namespace {

std::string_view store_letters(SnapshotStore store) {
  switch (store) {
    case SnapshotStore::Persistent:
      return "P";
    case SnapshotStore::PersistentOverflow:
      return "PO";
    case SnapshotStore::Transient:
      return "N";
  }
  return "P";
}

std::string format_args(const LinearTarget& t) {
  return t.device.text() + " " + to_string(t.offset);
}

std::string format_args(const StripedTarget& t) {
  std::string args = std::to_string(t.stripes.size()) + " " + to_string(t.chunk_size);
  for (const Stripe& stripe : t.stripes) {
    args += " " + stripe.device.text() + " " + to_string(stripe.offset);
  }
  return args;
}

std::string format_args(const SnapshotOriginTarget& t) {
  return t.origin.text();
}

// As dm-snap's status prints it: the feature count only when there are features.
std::string format_args(const SnapshotTarget& t) {
  std::string args = t.origin.text() + " " + t.cow.text() + " " +
                     std::string(store_letters(t.store)) + " " + to_string(t.chunk_size);
  const int features = (t.discard_zeroes_cow ? 1 : 0) + (t.discard_passdown_origin ? 1 : 0);
  if (features > 0)
    args += " " + std::to_string(features);
  if (t.discard_zeroes_cow)
    args += " discard_zeroes_cow";
  if (t.discard_passdown_origin)
    args += " discard_passdown_origin";
  return args;
}

std::string format_args(const ZeroTarget&) {
  return {};
}
std::string format_args(const ErrorTarget&) {
  return {};
}

std::string format_args(const PassthroughTarget& t) {
  std::string args;
  for (const std::string& arg : t.args)
    args += (args.empty() ? "" : " ") + arg;
  return args;
}

void add_unique(std::vector<DeviceRef>& devices, const DeviceRef& device) {
  if (std::find(devices.begin(), devices.end(), device) == devices.end()) {
    devices.push_back(device);
  }
}

}  // namespace

Sectors Table::size() const {
  if (segments.empty())
    return Sectors(0);
  return segments.back().start + segments.back().length;
}

std::string target_type(const Target& target) {
  struct TypeName {
    std::string operator()(const LinearTarget&) const { return "linear"; }
    std::string operator()(const StripedTarget&) const { return "striped"; }
    std::string operator()(const SnapshotOriginTarget&) const { return "snapshot-origin"; }
    std::string operator()(const SnapshotTarget& t) const {
      return t.merge ? "snapshot-merge" : "snapshot";
    }
    std::string operator()(const ZeroTarget&) const { return "zero"; }
    std::string operator()(const ErrorTarget&) const { return "error"; }
    std::string operator()(const PassthroughTarget& t) const { return t.type; }
  };
  return std::visit(TypeName{}, target);
}

std::string format_target_args(const Target& target) {
  return std::visit([](const auto& t) { return format_args(t); }, target);
}

std::string format_table(const Table& table) {
  std::string text;
  for (const Segment& segment : table.segments) {
    // dmsetup prints "%s %s" for type and parameters, so a target without parameters keeps the
    // space after its type ("0 8 zero "): we print the same bytes.
    text += to_string(segment.start) + " " + to_string(segment.length) + " " +
            target_type(segment.target) + " " + format_target_args(segment.target) + "\n";
  }
  return text;
}

std::vector<DeviceRef> referenced_devices(const Table& table) {
  std::vector<DeviceRef> devices;
  // with_devices_replaced() already knows where each target keeps its devices, in order.
  with_devices_replaced(table, [&](const DeviceRef& device) {
    add_unique(devices, device);
    return device;
  });
  return devices;
}

}  // namespace mapperd
