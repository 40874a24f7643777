#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace mapperd {

inline constexpr std::uint64_t kSectorBytes = 512;

// A count or an offset of 512-byte sectors: the unit of every device-mapper table, whatever the
// device's logical block size. A type of its own so a byte count can never be passed for it.
class Sectors {
 public:
  constexpr Sectors() = default;
  constexpr explicit Sectors(std::uint64_t count) : count_(count) {}

  constexpr std::uint64_t count() const { return count_; }

  friend constexpr auto operator<=>(Sectors, Sectors) = default;

  // Plain arithmetic; callers that take values from users use checked_add() instead.
  friend constexpr Sectors operator+(Sectors a, Sectors b) { return Sectors(a.count_ + b.count_); }
  friend constexpr Sectors operator-(Sectors a, Sectors b) { return Sectors(a.count_ - b.count_); }

 private:
  std::uint64_t count_ = 0;
};

// a + b, or nothing when the sum does not fit in 64 bits.
constexpr std::optional<Sectors> checked_add(Sectors a, Sectors b) {
  if (b.count() > UINT64_MAX - a.count())
    return std::nullopt;
  return Sectors(a.count() + b.count());
}

inline std::string to_string(Sectors s) {
  return std::to_string(s.count());
}

}  // namespace mapperd
