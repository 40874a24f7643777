// The runtime-state file parsers (daemon/store: /run/mapperd/maps/UUID.json and
// /run/mapperd/operations/ID.json) on any bytes. A file is either refused with a FormatError,
// which quarantines it, or read into facts or an intent that format without complaint and read
// back as the same: recovery acts on exactly what was written down.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/definition_format.h"

namespace mapperd::store {
namespace {

void check_facts_file(std::string_view text) {
  RuntimeMapFacts facts;
  try {
    facts = parse_facts(text);
  } catch (const FormatError&) {
    return;
  }
  const std::string written = format_facts(facts);
  FUZZ_CHECK(parse_facts(written) == facts);
  FUZZ_CHECK(format_facts(parse_facts(written)) == written);
}

void check_intent_file(std::string_view text) {
  OperationIntent intent;
  try {
    intent = parse_intent(text);
  } catch (const FormatError&) {
    return;
  }
  const std::string written = format_intent(intent);
  FUZZ_CHECK(parse_intent(written) == intent);
  FUZZ_CHECK(format_intent(parse_intent(written)) == written);
}

}  // namespace
}  // namespace mapperd::store

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  mapperd::store::check_facts_file(text);
  mapperd::store::check_intent_file(text);
  return 0;
}
