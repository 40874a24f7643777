// The definition file parsers (daemon/store: /etc/mapperd/maps/NAME.json and
// /etc/mapperd/loops/*.json) on any bytes. A file is either refused with a FormatError, which
// quarantines it, or read into a definition that formats without complaint and reads back as
// the same definition: the store never writes what it would quarantine when reading it again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/definition_format.h"

namespace mapperd::store {
namespace {

void check_map_file(std::string_view text) {
  StoredMap map;
  try {
    map = parse_map(text);
  } catch (const FormatError&) {
    return;
  }
  const std::string written = format_map(map.definition, map.generation);
  const StoredMap read_back = parse_map(written);
  FUZZ_CHECK(read_back.definition == map.definition);
  FUZZ_CHECK(read_back.generation == map.generation);
  FUZZ_CHECK(format_map(read_back.definition, read_back.generation) == written);
}

void check_loop_file(std::string_view text) {
  LoopDefinition loop;
  try {
    loop = parse_loop(text);
  } catch (const FormatError&) {
    return;
  }
  const std::string written = format_loop(loop);
  FUZZ_CHECK(parse_loop(written) == loop);
  FUZZ_CHECK(format_loop(parse_loop(written)) == written);
}

}  // namespace
}  // namespace mapperd::store

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Both parsers see every input: "kind" tells them apart, and each must refuse the other's.
  mapperd::store::check_map_file(text);
  mapperd::store::check_loop_file(text);
  return 0;
}
