#include "extent.h"

#include <charconv>

#include "exit_status.h"

namespace mapperctl {
namespace {

using mapperd::Sectors;

std::optional<std::uint64_t> parse_digits(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end)
    return std::nullopt;
  return value;
}

// Bytes per unit for a size suffix; 0 for an unknown suffix.
std::uint64_t unit_bytes(std::string_view suffix) {
  if (suffix.ends_with("iB"))
    suffix.remove_suffix(2);
  if (suffix == "K")
    return 1ull << 10;
  if (suffix == "M")
    return 1ull << 20;
  if (suffix == "G")
    return 1ull << 30;
  if (suffix == "T")
    return 1ull << 40;
  return 0;
}

constexpr std::uint64_t kMaxDenominator = 1'000'000;

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace

std::uint64_t parse_byte_count(std::string_view text, std::string_view what) {
  const auto fail = [&](std::string_view reason) {
    return usage_error(std::string(what) + " " + quoted(text) + " " + std::string(reason));
  };
  const std::size_t digits_end = text.find_first_not_of("0123456789");
  const auto number = parse_digits(text.substr(0, digits_end));
  if (!number)
    throw fail("is not a number of bytes or a size like 1M");
  if (digits_end == std::string_view::npos)
    return *number;
  const std::uint64_t unit = unit_bytes(text.substr(digits_end));
  if (unit == 0)
    throw fail("has an unknown unit (use K, M, G or T)");
  if (*number > UINT64_MAX / unit)
    throw fail("is too large");
  return *number * unit;
}

std::optional<Amount> Amount::try_parse(std::string_view text, std::string* why) {
  const auto fail = [&](std::string reason) -> std::optional<Amount> {
    if (why != nullptr)
      *why = quoted(text) + " " + std::move(reason);
    return std::nullopt;
  };
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    const auto numerator = parse_digits(text.substr(0, slash));
    const auto denominator = parse_digits(text.substr(slash + 1));
    if (!numerator || !denominator)
      return fail("is not a fraction like 1/2");
    if (*denominator == 0)
      return fail("divides by zero");
    if (*denominator > kMaxDenominator)
      return fail("has a denominator past 1000000");
    if (*numerator > *denominator)
      return fail("is more than the whole device");
    return fraction(*numerator, *denominator);
  }
  const std::size_t digits_end = text.find_first_not_of("0123456789");
  const auto number = parse_digits(text.substr(0, digits_end));
  if (!number)
    return fail("is not a number of sectors, a size like 1M, or a fraction like 1/2");
  if (digits_end == std::string_view::npos)
    return sectors(*number);
  const std::string_view suffix = text.substr(digits_end);
  if (suffix == "s")
    return sectors(*number);
  const std::uint64_t unit = unit_bytes(suffix);
  if (unit == 0)
    return fail("has an unknown unit (use s, K, M, G or T)");
  if (*number > UINT64_MAX / unit)
    return fail("is too large");
  const std::uint64_t bytes = *number * unit;
  if (bytes % mapperd::kSectorBytes != 0)
    return fail("is not a whole number of 512-byte sectors");
  return sectors(bytes / mapperd::kSectorBytes);
}

Amount Amount::parse(std::string_view text) {
  std::string why;
  std::optional<Amount> amount = try_parse(text, &why);
  if (!amount)
    throw usage_error(why);
  return *amount;
}

Sectors Amount::resolve(Sectors device_size) const {
  if (!is_fraction())
    return Sectors(sectors_);
  // floor(size * n / d) without the product, which can pass 64 bits on big devices:
  // size = q*d + r, so the result is q*n + floor(r*n / d), and r*n < d*d fits (d <= 10^6).
  const std::uint64_t quotient = device_size.count() / denominator_;
  const std::uint64_t remainder = device_size.count() % denominator_;
  return Sectors(quotient * numerator_ + remainder * numerator_ / denominator_);
}

bool ExtentSpec::needs_device_size() const {
  return !length || length->is_fraction() || (start && start->is_fraction());
}

ExtentSpec ExtentSpec::parse(std::string_view text) {
  ExtentSpec spec;
  // Peel "+LENGTH" then "@START" off the end, each only when what follows the mark is an
  // amount and something is left before it.
  if (const std::size_t plus = text.rfind('+'); plus != std::string_view::npos && plus > 0) {
    if (auto length = Amount::try_parse(text.substr(plus + 1))) {
      spec.length = length;
      text = text.substr(0, plus);
    }
  }
  if (const std::size_t at = text.rfind('@'); at != std::string_view::npos && at > 0) {
    if (auto start = Amount::try_parse(text.substr(at + 1))) {
      spec.start = start;
      text = text.substr(0, at);
    }
  }
  if (text.empty())
    throw usage_error("a device range needs a device, like /dev/loop1@0+2048");
  spec.device = std::string(text);
  return spec;
}

Extent resolve_extent(const ExtentSpec& spec, std::optional<Sectors> device_size) {
  if (!device_size && spec.needs_device_size()) {
    throw usage_error("the size of " + spec.device +
                      " is not known here; give the range in sectors, like " + spec.device +
                      "@0+2048");
  }
  if (device_size == Sectors(0)) {
    throw usage_error(spec.device + " has no sectors (a loop device with no file attached?)");
  }
  const Sectors size = device_size.value_or(Sectors(0));
  const Sectors start = spec.start ? spec.start->resolve(size) : Sectors(0);
  if (!spec.length && start >= size) {
    throw usage_error(spec.device + ": the range starts at sector " + to_string(start) +
                      ", at or past the device's end (" + to_string(size) + " sectors)");
  }
  const Sectors length = spec.length ? spec.length->resolve(size) : size - start;
  if (length == Sectors(0))
    throw usage_error(spec.device + ": the range is empty");
  const std::optional<Sectors> end = mapperd::checked_add(start, length);
  if (!end || (device_size && *end > *device_size)) {
    throw usage_error(spec.device + ": the range " + to_string(start) + "+" + to_string(length) +
                      " runs past the device's end (" + to_string(size) + " sectors)");
  }
  return Extent{spec.device, start, length};
}

}  // namespace mapperctl
