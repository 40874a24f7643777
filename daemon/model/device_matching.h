#pragma once
// Choosing the device a stored identity names among the devices there now: a pure function over
// identities, so the udev seam's directory and the tests' in-memory one decide alike.

#include <optional>
#include <vector>

#include "device_identity.h"
#include "device_ref.h"

namespace mapperd {

namespace device_matching {

// Among loop devices bound to the same file at the same offset (they show the same data): the
// one whose size limit and read-only flag are also the same, else the lowest number.
inline DeviceNumber best_loop(const LoopBacking& wanted,
                              const std::vector<const DeviceIdentity*>& bound) {
  const DeviceIdentity* best = nullptr;
  for (const DeviceIdentity* candidate : bound) {
    const bool exact = candidate->loop->size_limit == wanted.size_limit &&
                       candidate->loop->read_only == wanted.read_only;
    const bool best_exact = best != nullptr && best->loop->size_limit == wanted.size_limit &&
                            best->loop->read_only == wanted.read_only;
    if (best == nullptr || (exact && !best_exact) ||
        (exact == best_exact && candidate->number < best->number)) {
      best = candidate;
    }
  }
  return best->number;
}

}  // namespace device_matching

// Which of `candidates` is the device `wanted` identified; nothing when none, or more than one,
// is. The keys, strongest first:
//   1. a loop binding: the same file (file_device and inode) at the same offset;
//   2. the device-mapper map UUID;
//   3. the WWN, with the same partition UUID (a disk's partitions share its WWN and serial);
//   4. the partition UUID;
//   5. the serial, with the same partition UUID;
//   6. the /dev/disk/by-id link.
// The strongest key `wanted` has decides; a candidate that has that key with another value is
// another device and is not considered for the weaker keys, while one that lacks it (a disk in
// an enclosure that hides its WWN) still may match by them. Two loop devices bound to the same
// file at the same offset show the same data: the one with the same size limit and read-only
// flag wins, else the lower number. An identity with none of these keys (not stable()) matches
// the candidate with its number.
inline std::optional<DeviceNumber> best_match(const DeviceIdentity& wanted,
                                              const std::vector<DeviceIdentity>& candidates) {
  // For each key: whether an identity has it, and whether two identities agree on it.
  struct Key {
    bool (*has)(const DeviceIdentity&);
    bool (*same)(const DeviceIdentity&, const DeviceIdentity&);
  };
  static constexpr Key kKeys[] = {
      {[](const DeviceIdentity& d) { return d.loop.has_value(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) {
         return a.loop->file_device == b.loop->file_device && a.loop->inode == b.loop->inode &&
                a.loop->offset == b.loop->offset;
       }},
      {[](const DeviceIdentity& d) { return !d.map_uuid.empty(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) { return a.map_uuid == b.map_uuid; }},
      {[](const DeviceIdentity& d) { return !d.wwn.empty(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) {
         return a.wwn == b.wwn && a.partition_uuid == b.partition_uuid;
       }},
      {[](const DeviceIdentity& d) { return !d.partition_uuid.empty(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) {
         return a.partition_uuid == b.partition_uuid;
       }},
      {[](const DeviceIdentity& d) { return !d.serial.empty(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) {
         return a.serial == b.serial && a.partition_uuid == b.partition_uuid;
       }},
      {[](const DeviceIdentity& d) { return !d.by_id.empty(); },
       [](const DeviceIdentity& a, const DeviceIdentity& b) { return a.by_id == b.by_id; }},
  };

  if (!wanted.stable()) {
    for (const DeviceIdentity& candidate : candidates) {
      if (candidate.number == wanted.number)
        return candidate.number;
    }
    return std::nullopt;
  }
  std::vector<const DeviceIdentity*> eligible;
  for (const DeviceIdentity& candidate : candidates)
    eligible.push_back(&candidate);
  for (const Key& key : kKeys) {
    if (!key.has(wanted))
      continue;
    std::vector<const DeviceIdentity*> matching;
    std::vector<const DeviceIdentity*> without_key;
    for (const DeviceIdentity* candidate : eligible) {
      if (!key.has(*candidate))
        without_key.push_back(candidate);
      else if (key.same(wanted, *candidate))
        matching.push_back(candidate);
    }
    if (matching.size() > 1 && &key == &kKeys[0])
      return device_matching::best_loop(*wanted.loop, matching);
    if (matching.size() == 1)
      return matching.front()->number;
    if (matching.size() > 1)
      return std::nullopt;  // ambiguous: a weaker key cannot make it safe
    eligible = std::move(without_key);
  }
  return std::nullopt;
}

}  // namespace mapperd
