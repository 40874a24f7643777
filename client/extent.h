#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/sectors.h"

namespace mapperctl {

// A position or a length on a device as a user writes it: sectors ("2048" or "2048s"), bytes
// with a binary suffix ("1M" is 2048 sectors; K, M, G, T, optionally followed by "iB"), or a
// fraction of the device ("1/2"), which rounds down as the shell's $((SIZE/2)) does.
class Amount {
 public:
  // Throws CommandError(Usage) saying what is wrong with `text`.
  static Amount parse(std::string_view text);
  // Nothing when `text` is not an amount (used to tell "DEV+8" from a device named "a+b").
  static std::optional<Amount> try_parse(std::string_view text, std::string* why = nullptr);

  static Amount sectors(std::uint64_t count) { return Amount(count, 0, 0); }
  static Amount fraction(std::uint64_t numerator, std::uint64_t denominator) {
    return Amount(0, numerator, denominator);
  }

  bool is_fraction() const { return denominator_ != 0; }
  // The amount in sectors on a device of `device_size` sectors.
  mapperd::Sectors resolve(mapperd::Sectors device_size) const;

  friend bool operator==(const Amount&, const Amount&) = default;

 private:
  Amount(std::uint64_t sectors, std::uint64_t numerator, std::uint64_t denominator)
      : sectors_(sectors), numerator_(numerator), denominator_(denominator) {}

  std::uint64_t sectors_ = 0;
  std::uint64_t numerator_ = 0;
  std::uint64_t denominator_ = 0;  // 0: a plain sector count
};

// A number of bytes as a user writes it: "4096", or with a binary suffix ("1M" is 1048576; K, M,
// G, T, optionally followed by "iB"). For what counts in bytes rather than sectors (a loop
// device's offset and size). Throws CommandError(Usage) naming `what` ("--offset").
std::uint64_t parse_byte_count(std::string_view text, std::string_view what);

// A range of a device as the layout verbs take it: "DEV", "DEV@START", "DEV+LENGTH" or
// "DEV@START+LENGTH". The range runs from START (default 0) for LENGTH sectors (default: to the
// device's end). "/dev/loop1@1/2" is the second half of loop1, "/dev/loop1+1/2" the first.
struct ExtentSpec {
  std::string device;  // "/dev/loop1" or "7:1", as the table will name it
  std::optional<Amount> start;
  std::optional<Amount> length;

  // Whether resolving it needs the device's size: a fraction, or a range open to the end.
  bool needs_device_size() const;

  // Throws CommandError(Usage). A suffix that is not an amount stays part of the device, so
  // "/dev/mapper/a+b" is a device; a device whose own name ends in "+8" must be written
  // MAJOR:MINOR.
  static ExtentSpec parse(std::string_view text);
  friend bool operator==(const ExtentSpec&, const ExtentSpec&) = default;
};

// A resolved range: what one table segment maps.
struct Extent {
  std::string device;
  mapperd::Sectors start;
  mapperd::Sectors length;
  friend bool operator==(const Extent&, const Extent&) = default;
};

// `spec` on a device of `device_size` sectors (nothing when the size is unknown, which is only
// allowed when !spec.needs_device_size()). Throws CommandError(Usage) when the range is empty
// or runs past the device's end.
Extent resolve_extent(const ExtentSpec& spec, std::optional<mapperd::Sectors> device_size);

}  // namespace mapperctl
