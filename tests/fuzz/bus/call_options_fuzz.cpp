// The D-Bus option decoding (daemon/bus/call_options): an a{sv} built from the fuzzer's bytes,
// marshalled into a D-Bus message and read back as sdbus-c++ hands it to a method, then checked
// against the options a real method accepts. No bus is needed: sdbus-c++ marshals values in a
// message of its own. CallOptions::read must accept exactly the maps whose every key is accepted
// with its type, refuse the rest with InvalidArgument, and hand back what was sent.
#include <fuzzer/FuzzedDataProvider.h>
#include <sdbus-c++/Error.h>
#include <sdbus-c++/Types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/call_options.h"
#include "fuzz_check.h"
#include "model/error.h"

namespace mapperd::bus {
namespace {

using Options = std::map<std::string, sdbus::Variant>;

// What the daemon's methods accept (daemon/bus/manager_object.cpp, map_object.cpp,
// loop_object.cpp); the empty list is that of the methods that take no option of their own.
const std::initializer_list<OptionSpec> kMethodOptions[] = {
    {},
    {{"uuid", OptionType::String},
     {"read-only", OptionType::Boolean},
     {"persistent", OptionType::Boolean},
     {"wait-for-devices", OptionType::Boolean}},
    {{"persistent", OptionType::Boolean}, {"chunk-size", OptionType::UInt64}},
    {{"offset", OptionType::UInt64},
     {"size", OptionType::UInt64},
     {"read-only", OptionType::Boolean},
     {"persistent", OptionType::Boolean}},
    {{"force", OptionType::Boolean},
     {"deferred", OptionType::Boolean},
     {"keep-definition", OptionType::Boolean}},
    {{"noflush", OptionType::Boolean}},
    {{"keep-definition", OptionType::Boolean}},
};

const char* const kKnownKeys[] = {"auth.no_user_interaction",
                                  "uuid",
                                  "read-only",
                                  "persistent",
                                  "wait-for-devices",
                                  "chunk-size",
                                  "offset",
                                  "size",
                                  "force",
                                  "deferred",
                                  "keep-definition",
                                  "noflush"};

// A D-Bus string holds no NUL byte: the text up to the first one, as a client would send it.
std::string consume_string(FuzzedDataProvider& data, std::size_t max_length) {
  std::string text = data.ConsumeRandomLengthString(max_length);
  text.resize(std::min(text.size(), text.find('\0')));
  return text;
}

std::string consume_key(FuzzedDataProvider& data) {
  if (data.ConsumeBool())
    return kKnownKeys[data.ConsumeIntegralInRange<std::size_t>(0, std::size(kKnownKeys) - 1)];
  return consume_string(data, 40);
}

// One value of one of the types a client could send. Throws sdbus::Error for bytes that are no
// D-Bus value (a string that is not UTF-8, an object path that is not one): the bus refuses
// those before any method sees them.
sdbus::Variant consume_value(FuzzedDataProvider& data, int depth) {
  switch (data.ConsumeIntegralInRange(0, depth > 0 ? 11 : 10)) {
    case 0:
      return sdbus::Variant(data.ConsumeBool());
    case 1:
      return sdbus::Variant(consume_string(data, 64));
    case 2:
      return sdbus::Variant(data.ConsumeIntegral<std::uint64_t>());
    case 3:
      return sdbus::Variant(data.ConsumeIntegral<std::int64_t>());
    case 4:
      return sdbus::Variant(data.ConsumeIntegral<std::uint32_t>());
    case 5:
      return sdbus::Variant(data.ConsumeIntegral<std::int32_t>());
    case 6:
      return sdbus::Variant(data.ConsumeIntegral<std::uint8_t>());
    case 7:
      return sdbus::Variant(data.ConsumeFloatingPoint<double>());
    case 8:
      return sdbus::Variant(sdbus::ObjectPath(consume_string(data, 32)));
    case 9: {
      std::vector<std::string> words;
      for (int count = data.ConsumeIntegralInRange(0, 4); count > 0; --count)
        words.push_back(consume_string(data, 16));
      return sdbus::Variant(words);
    }
    case 10:
      return sdbus::Variant(
          sdbus::Struct<bool, std::string>(data.ConsumeBool(), consume_string(data, 16)));
    default: {
      Options nested;
      for (int count = data.ConsumeIntegralInRange(0, 3); count > 0; --count)
        nested.insert_or_assign(consume_key(data), consume_value(data, depth - 1));
      return sdbus::Variant(nested);
    }
  }
}

// The type `key` must have, or nothing when the method does not accept it.
std::optional<OptionType> accepted_type(std::string_view key,
                                        std::initializer_list<OptionSpec> accepted) {
  if (key == kNoUserInteraction)
    return OptionType::Boolean;
  for (const OptionSpec& spec : accepted) {
    if (spec.key == key)
      return spec.type;
  }
  return std::nullopt;
}

void check_read(const Options& sent, std::initializer_list<OptionSpec> accepted) {
  bool acceptable = true;
  for (const auto& [key, value] : sent) {
    const std::optional<OptionType> type = accepted_type(key, accepted);
    acceptable = acceptable && type && value.peekValueType() == signature_of(*type);
  }
  std::optional<CallOptions> options;
  try {
    options = CallOptions::read(sent, accepted);
  } catch (const Error& error) {
    FUZZ_CHECK(!acceptable);
    FUZZ_CHECK(error.kind() == ErrorKind::InvalidArgument);
    return;
  }
  FUZZ_CHECK(acceptable);
  FUZZ_CHECK(options->no_user_interaction() ==
             (sent.contains(std::string(kNoUserInteraction)) &&
              sent.at(std::string(kNoUserInteraction)).get<bool>()));
  for (const OptionSpec& spec : accepted) {
    const auto found = sent.find(std::string(spec.key));
    switch (spec.type) {
      case OptionType::Boolean:
        FUZZ_CHECK(options->flag(spec.key) == (found != sent.end() && found->second.get<bool>()));
        FUZZ_CHECK(options->flag(spec.key, true) ==
                   (found == sent.end() || found->second.get<bool>()));
        break;
      case OptionType::String:
        FUZZ_CHECK(
            options->text(spec.key) ==
            (found == sent.end() ? std::nullopt : std::optional(found->second.get<std::string>())));
        break;
      case OptionType::UInt64:
        FUZZ_CHECK(options->number(spec.key) ==
                   (found == sent.end() ? std::nullopt
                                        : std::optional(found->second.get<std::uint64_t>())));
        break;
    }
  }
}

}  // namespace
}  // namespace mapperd::bus

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace mapperd::bus;
  FuzzedDataProvider data(bytes, size);
  const std::initializer_list<OptionSpec> accepted =
      kMethodOptions[data.ConsumeIntegralInRange<std::size_t>(0, std::size(kMethodOptions) - 1)];
  Options built;
  Options received;
  try {
    for (int count = data.ConsumeIntegralInRange(0, 8); count > 0; --count)
      built.insert_or_assign(consume_key(data), consume_value(data, 2));
    // As the adaptor receives it: unmarshalled from a message holding the a{sv}.
    received = sdbus::Variant(built).get<Options>();
  } catch (const sdbus::Error&) {
    return 0;  // not a D-Bus value (a key that is not UTF-8, ...): no method would see it
  }
  FUZZ_CHECK(received.size() == built.size());
  check_read(received, accepted);
  return 0;
}
