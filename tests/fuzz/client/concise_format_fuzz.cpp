// The dmsetup create --concise reader (client/concise_format.h) on any bytes: it either refuses
// them with CommandError(Invalid), or returns maps that each have a name, their positions in
// order, and a table of non-empty lines each ending in "\n".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "concise_format.h"
#include "exit_status.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mapperctl;
  std::vector<ConciseMap> maps;
  try {
    maps = parse_concise(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const CommandError& error) {
    FUZZ_CHECK(error.status() == ExitStatus::Invalid);
    return 0;
  }
  FUZZ_CHECK(!maps.empty());
  for (std::size_t i = 0; i < maps.size(); ++i) {
    FUZZ_CHECK(maps[i].position == i + 1);
    FUZZ_CHECK(!maps[i].name.empty());
    FUZZ_CHECK(!maps[i].table.empty() && maps[i].table.back() == '\n');
  }
  return 0;
}
