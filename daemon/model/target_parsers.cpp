#include "target_parsers.h"

#include <bit>
#include <cstdint>
#include <vector>

#include "kernel_argument.h"
#include "quoted.h"
#include "table_limits.h"
#include "table_tokens.h"

namespace mapperd {
namespace {

using Args = std::span<const std::string_view>;

constexpr std::string_view kDiscardZeroesCow = "discard_zeroes_cow";
constexpr std::string_view kDiscardPassdownOrigin = "discard_passdown_origin";
// dm-snap 6.1 knows exactly these two feature words.
constexpr std::uint64_t kMaxSnapshotFeatures = 2;

std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::optional<Sectors> read_sectors(std::string_view word, std::string field,
                                    LineProblems& problems) {
  std::string why;
  const std::optional<std::uint64_t> value = parse_decimal(word, why);
  if (!value) {
    problems.add(std::move(field), why);
    return std::nullopt;
  }
  return Sectors(*value);
}

std::optional<DeviceRef> read_device(std::string_view word, std::string field,
                                     LineProblems& problems) {
  std::string why;
  std::optional<DeviceRef> device = DeviceRef::parse(word, &why);
  if (!device)
    problems.add(std::move(field), why);
  return device;
}

// The kernel adds the offset to every sector it maps, so offset + extent must fit in 64 bits.
void check_offset_fits(Sectors offset, Sectors extent, std::string_view extent_name,
                       LineProblems& problems) {
  if (!checked_add(offset, extent)) {
    problems.add("offset", "offset " + to_string(offset) + " + " + std::string(extent_name) + " " +
                               to_string(extent) + " does not fit in 64 bits");
  }
}

std::optional<Target> parse_linear(Args args, std::optional<Sectors> length,
                                   LineProblems& problems) {
  if (args.size() != 2) {
    problems.add("arguments", "linear takes 2 arguments (device offset), got " +
                                  count_of(args.size(), "argument"));
    return std::nullopt;
  }
  std::optional<DeviceRef> device = read_device(args[0], "device", problems);
  const std::optional<Sectors> offset = read_sectors(args[1], "offset", problems);
  if (offset && length)
    check_offset_fits(*offset, *length, "length", problems);
  if (!device || !offset)
    return std::nullopt;
  return LinearTarget{std::move(*device), *offset};
}

std::optional<std::uint64_t> read_stripe_count(std::string_view word, LineProblems& problems) {
  std::string why;
  const std::optional<std::uint64_t> count = parse_decimal(word, why);
  if (!count) {
    problems.add("stripe count", why);
  } else if (*count == 0) {
    problems.add("stripe count", "a striped target needs at least 1 stripe");
  } else if (*count > kMaxStripes) {
    problems.add("stripe count",
                 std::to_string(*count) + " stripes; the limit is " + std::to_string(kMaxStripes));
  } else {
    return count;
  }
  return std::nullopt;
}

std::optional<Sectors> read_stripe_chunk(std::string_view word, LineProblems& problems) {
  const std::optional<Sectors> chunk = read_sectors(word, "chunk size", problems);
  if (!chunk)
    return std::nullopt;
  if (chunk->count() == 0) {
    problems.add("chunk size", "chunk size is 0; it must be at least 1 sector");
  } else if (chunk->count() > kMaxStripeChunkSectors) {
    problems.add("chunk size", "chunk size " + to_string(*chunk) +
                                   " is past the kernel's limit of " +
                                   std::to_string(kMaxStripeChunkSectors) + " sectors");
  } else {
    return chunk;
  }
  return std::nullopt;
}

// dm-stripe splits the segment evenly over the stripes, and each stripe's share into whole
// chunks: length % stripes == 0 and (length / stripes) % chunk == 0, i.e. length is a multiple
// of stripes x chunk (at most 128 x 2^32, so the product cannot overflow).
void check_striped_length(Sectors length, std::uint64_t stripes, Sectors chunk,
                          LineProblems& problems) {
  const std::uint64_t unit = stripes * chunk.count();
  if (length.count() % unit != 0) {
    problems.add("length", "length " + to_string(length) + " is not a multiple of " +
                               count_of(stripes, "stripe") + " x chunk size " + to_string(chunk) +
                               " = " + std::to_string(unit));
  }
}

std::optional<Target> parse_striped(Args args, std::optional<Sectors> length,
                                    LineProblems& problems) {
  if (args.size() < 2) {
    problems.add("arguments",
                 "striped takes #stripes, chunk size and a device and offset per stripe, got " +
                     count_of(args.size(), "argument"));
    return std::nullopt;
  }
  const std::optional<std::uint64_t> stripe_count = read_stripe_count(args[0], problems);
  const std::optional<Sectors> chunk = read_stripe_chunk(args[1], problems);
  if (!stripe_count)
    return std::nullopt;
  const std::size_t expected_args = 2 + 2 * *stripe_count;
  if (args.size() != expected_args) {
    problems.add("arguments", "striped with " + count_of(*stripe_count, "stripe") + " takes " +
                                  std::to_string(expected_args) +
                                  " arguments (#stripes chunk, then device offset per stripe), "
                                  "got " +
                                  std::to_string(args.size()));
    return std::nullopt;
  }
  if (length && chunk)
    check_striped_length(*length, *stripe_count, *chunk, problems);

  std::vector<Stripe> stripes;
  bool all_read = chunk.has_value();
  for (std::size_t i = 2; i < args.size(); i += 2) {
    std::optional<DeviceRef> device = read_device(args[i], "device", problems);
    const std::optional<Sectors> offset = read_sectors(args[i + 1], "offset", problems);
    if (offset && length) {
      check_offset_fits(*offset, Sectors(length->count() / *stripe_count), "length per stripe",
                        problems);
    }
    if (!device || !offset) {
      all_read = false;
      continue;
    }
    stripes.push_back(Stripe{std::move(*device), *offset});
  }
  if (!all_read)
    return std::nullopt;
  return StripedTarget{*chunk, std::move(stripes)};
}

std::optional<Target> parse_snapshot_origin(Args args, LineProblems& problems) {
  if (args.size() != 1) {
    problems.add("arguments", "snapshot-origin takes 1 argument (origin), got " +
                                  count_of(args.size(), "argument"));
    return std::nullopt;
  }
  std::optional<DeviceRef> origin = read_device(args[0], "origin", problems);
  if (!origin)
    return std::nullopt;
  return SnapshotOriginTarget{std::move(*origin)};
}

std::optional<SnapshotStore> read_snapshot_store(std::string_view word, bool merge,
                                                 LineProblems& problems) {
  std::optional<SnapshotStore> store;
  if (word == "P")
    store = SnapshotStore::Persistent;
  if (word == "PO")
    store = SnapshotStore::PersistentOverflow;
  if (word == "N")
    store = SnapshotStore::Transient;
  if (!store) {
    problems.add("persistence", quoted(word) + " is not P, PO or N");
  } else if (merge && *store == SnapshotStore::Transient) {
    // Merging writes the COW's exceptions back into the origin; a transient COW has none that
    // survive, so the kernel refuses it.
    problems.add("persistence", "snapshot-merge needs a persistent COW (P or PO), not N");
    return std::nullopt;
  }
  return store;
}

std::optional<Sectors> read_snapshot_chunk(std::string_view word, LineProblems& problems) {
  const std::optional<Sectors> chunk = read_sectors(word, "chunk size", problems);
  if (!chunk)
    return std::nullopt;
  if (chunk->count() == 0 || chunk->count() > kMaxSnapshotChunkSectors) {
    problems.add("chunk size", "chunk size " + to_string(*chunk) + " is outside 1.." +
                                   std::to_string(kMaxSnapshotChunkSectors) + " sectors");
  } else if (!std::has_single_bit(chunk->count())) {
    problems.add("chunk size", "chunk size " + to_string(*chunk) + " is not a power of two");
  } else {
    return chunk;
  }
  return std::nullopt;
}

struct SnapshotFeatures {
  bool discard_zeroes_cow = false;
  bool discard_passdown_origin = false;
};

// "<#features> <feature>...", or nothing after adding problems.
std::optional<SnapshotFeatures> read_snapshot_features(Args words, LineProblems& problems) {
  std::string why;
  const std::optional<std::uint64_t> count = parse_decimal(words[0], why);
  if (!count) {
    problems.add("feature count", why);
    return std::nullopt;
  }
  const Args features = words.subspan(1);
  if (*count > kMaxSnapshotFeatures) {
    problems.add("feature count", "feature count " + std::to_string(*count) + " is more than the " +
                                      std::to_string(kMaxSnapshotFeatures) + " features there are");
    return std::nullopt;
  }
  if (features.size() != *count) {
    problems.add("arguments", "feature count says " + std::to_string(*count) +
                                  ", features given: " + std::to_string(features.size()));
    return std::nullopt;
  }
  SnapshotFeatures target;
  bool good = true;
  for (std::string_view feature : features) {
    bool* flag = nullptr;
    if (feature == kDiscardZeroesCow)
      flag = &target.discard_zeroes_cow;
    if (feature == kDiscardPassdownOrigin)
      flag = &target.discard_passdown_origin;
    if (flag == nullptr) {
      problems.add("feature", "unknown feature " + quoted(feature) +
                                  " (known: " + std::string(kDiscardZeroesCow) + ", " +
                                  std::string(kDiscardPassdownOrigin) + ")");
      good = false;
    } else if (*flag) {
      problems.add("feature", std::string(feature) + " is given twice");
      good = false;
    } else {
      *flag = true;
    }
  }
  // Passing discards down to the origin is only safe once they zero the COW's chunks first.
  if (good && target.discard_passdown_origin && !target.discard_zeroes_cow) {
    problems.add("feature", std::string(kDiscardPassdownOrigin) + " requires " +
                                std::string(kDiscardZeroesCow));
    good = false;
  }
  if (!good)
    return std::nullopt;
  return target;
}

std::optional<Target> parse_snapshot(bool merge, Args args, LineProblems& problems) {
  if (args.size() < 4) {
    problems.add("arguments",
                 "snapshot takes origin, COW device, P|PO|N and chunk size (then optional "
                 "features), got " +
                     count_of(args.size(), "argument"));
    return std::nullopt;
  }
  std::optional<DeviceRef> origin = read_device(args[0], "origin", problems);
  std::optional<DeviceRef> cow = read_device(args[1], "COW device", problems);
  const std::optional<SnapshotStore> store = read_snapshot_store(args[2], merge, problems);
  const std::optional<Sectors> chunk = read_snapshot_chunk(args[3], problems);
  const std::optional<SnapshotFeatures> features =
      args.size() == 4 ? SnapshotFeatures{} : read_snapshot_features(args.subspan(4), problems);
  // dm-snap refuses this too, but only while loading the table; say it before.
  const bool cow_is_origin = origin && cow && *origin == *cow;
  if (cow_is_origin) {
    problems.add("COW device", "the COW device " + cow->text() + " is the origin itself");
  }
  if (!origin || !cow || !store || !chunk || !features || cow_is_origin)
    return std::nullopt;
  return SnapshotTarget{merge,
                        std::move(*origin),
                        std::move(*cow),
                        *store,
                        *chunk,
                        features->discard_zeroes_cow,
                        features->discard_passdown_origin};
}

std::optional<Target> parse_no_arguments(std::string_view type, Target target, Args args,
                                         LineProblems& problems) {
  if (!args.empty()) {
    problems.add("arguments", std::string(type) + " takes no arguments, got " +
                                  count_of(args.size(), "argument"));
    return std::nullopt;
  }
  return target;
}

std::optional<Target> parse_passthrough(std::string_view type, Args args, LineProblems& problems) {
  PassthroughTarget target{std::string(type), {}};
  bool good = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    for (char byte : args[i]) {
      // We cannot read these words, so at least make sure the kernel reads the same ones.
      if (!is_plain_argument_byte(byte)) {
        problems.add("arguments", "argument " + std::to_string(i + 1) + " " + quoted(args[i]) +
                                      " holds " + describe_byte(byte) +
                                      "; only printable ASCII without backslashes is allowed");
        good = false;
        break;
      }
    }
    target.args.emplace_back(args[i]);
  }
  if (!good)
    return std::nullopt;
  return target;
}

// Each parser reports what it finds and goes on, so one line can show several problems.
std::optional<Target> parse_any_target(std::string_view type, Args args,
                                       std::optional<Sectors> length,
                                       const std::set<std::string>& passthrough_targets,
                                       LineProblems& problems) {
  if (type == "linear")
    return parse_linear(args, length, problems);
  if (type == "striped")
    return parse_striped(args, length, problems);
  if (type == "snapshot-origin")
    return parse_snapshot_origin(args, problems);
  // "snapshot-target" is the tutorial's word for the kernel's "snapshot".
  if (type == "snapshot" || type == "snapshot-target")
    return parse_snapshot(false, args, problems);
  if (type == "snapshot-merge")
    return parse_snapshot(true, args, problems);
  if (type == "zero")
    return parse_no_arguments(type, ZeroTarget{}, args, problems);
  if (type == "error")
    return parse_no_arguments(type, ErrorTarget{}, args, problems);
  if (passthrough_targets.contains(std::string(type))) {
    return parse_passthrough(type, args, problems);
  }
  // Refused here so that no table can make the kernel load a module by naming it.
  problems.add("target",
               "unknown target " + quoted(type) + ": the running kernel does not list it");
  return std::nullopt;
}

}  // namespace

std::optional<Target> parse_target(std::string_view type, Args args, std::optional<Sectors> length,
                                   const std::set<std::string>& passthrough_targets,
                                   LineProblems& problems) {
  const std::size_t problems_before = problems.count();
  std::optional<Target> target =
      parse_any_target(type, args, length, passthrough_targets, problems);
  if (problems.count() != problems_before)
    return std::nullopt;
  return target;
}

}  // namespace mapperd
