#include "call_options.h"

#include "model/error.h"

namespace mapperd::bus {
namespace {

std::string accepted_keys(std::initializer_list<OptionSpec> accepted) {
  std::string text;
  for (const OptionSpec& spec : accepted) {
    text += std::string(spec.key) + " (" + std::string(signature_of(spec.type)) + "), ";
  }
  return text + std::string(kNoUserInteraction) + " (b)";
}

}  // namespace

std::string_view signature_of(OptionType type) {
  switch (type) {
    case OptionType::Boolean:
      return "b";
    case OptionType::String:
      return "s";
    case OptionType::UInt32:
      return "u";
    case OptionType::UInt64:
      return "t";
    case OptionType::UInt32Array:
      return "au";
  }
  return "";
}

CallOptions CallOptions::read(const std::map<std::string, sdbus::Variant>& options,
                              std::initializer_list<OptionSpec> accepted) {
  CallOptions result;
  for (const auto& [key, value] : options) {
    std::optional<OptionType> type;
    if (key == kNoUserInteraction)
      type = OptionType::Boolean;
    for (const OptionSpec& spec : accepted) {
      if (spec.key == key)
        type = spec.type;
    }
    if (!type) {
      throw Error(ErrorKind::InvalidArgument,
                  "unknown option '" + key + "'; this method accepts " + accepted_keys(accepted));
    }
    const std::string sent = value.peekValueType();
    if (sent != signature_of(*type)) {
      throw Error(ErrorKind::InvalidArgument, "option '" + key + "' must have type '" +
                                                  std::string(signature_of(*type)) + "', not '" +
                                                  sent + "'");
    }
    result.values_.emplace(key, value);
  }
  return result;
}

bool CallOptions::flag(std::string_view key, bool fallback) const {
  const auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second.get<bool>();
}

std::optional<std::string> CallOptions::text(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end())
    return std::nullopt;
  return it->second.get<std::string>();
}

std::optional<std::uint64_t> CallOptions::number(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end())
    return std::nullopt;
  return it->second.get<std::uint64_t>();
}

std::optional<std::uint32_t> CallOptions::number32(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end())
    return std::nullopt;
  return it->second.get<std::uint32_t>();
}

std::optional<std::vector<std::uint32_t>> CallOptions::numbers32(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end())
    return std::nullopt;
  return it->second.get<std::vector<std::uint32_t>>();
}

}  // namespace mapperd::bus
