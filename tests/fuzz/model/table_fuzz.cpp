// The table parser and validator (daemon/model) on any text. Every input is either a table or a
// list of typed problems, never both and never a crash, and a table prints as text that reads
// back as the same table (what a stored definition and `dmsetup table` rely on). Each input is
// checked twice: on its own, and against the tutorial's loop devices so the device checks run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "model/block_devices.h"
#include "model/error.h"
#include "model/table.h"
#include "model/table_parser.h"

namespace mapperd {
namespace {

// /dev/loop1 and /dev/loop2 of 4096 sectors (7:1, 7:2), and 8:0 whose size is unknown.
class TutorialDevices : public BlockDevices {
 public:
  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override {
    if (ref.is_number()) {
      const DeviceNumber number = ref.number();
      return sizes_.contains(number) || number == kUnsized ? std::optional(number) : std::nullopt;
    }
    const auto found = paths_.find(ref.text());
    return found == paths_.end() ? std::nullopt : std::optional(found->second);
  }
  std::optional<Sectors> size_of(DeviceNumber device) const override {
    const auto found = sizes_.find(device);
    return found == sizes_.end() ? std::nullopt : std::optional(found->second);
  }

 private:
  static constexpr DeviceNumber kUnsized{8, 0};
  std::map<std::string, DeviceNumber, std::less<>> paths_{{"/dev/loop1", {7, 1}},
                                                          {"/dev/loop2", {7, 2}}};
  std::map<DeviceNumber, Sectors> sizes_{{{7, 1}, Sectors(4096)}, {{7, 2}, Sectors(4096)}};
};

void check_one(std::string_view text, const TableContext& context) {
  const std::vector<TableProblem> problems = check_table(text, context);
  std::optional<Table> table;
  try {
    table = parse_table(text, context);
  } catch (const Error& error) {
    FUZZ_CHECK(!problems.empty());
    const bool only_missing = std::all_of(problems.begin(), problems.end(),
                                          [](const TableProblem& p) { return p.missing_device; });
    FUZZ_CHECK(error.kind() == (only_missing ? ErrorKind::DeviceMissing : ErrorKind::InvalidTable));
    return;
  }
  FUZZ_CHECK(problems.empty());
  FUZZ_CHECK(!table->segments.empty());

  const std::string printed = format_table(*table);
  const Table read_back = parse_table(printed, context);
  FUZZ_CHECK(read_back == *table);
  FUZZ_CHECK(format_table(read_back) == printed);
  FUZZ_CHECK(read_back.size() == table->size());
}

}  // namespace
}  // namespace mapperd

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mapperd;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const TutorialDevices devices;
  // Targets a kernel might list besides the typed ones, whose lines are passed through.
  static const TableContext alone{{"crypt", "thin", "delay"}, nullptr};
  static const TableContext on_devices{{"crypt", "thin", "delay"}, &devices};
  check_one(text, alone);
  check_one(text, on_devices);
  return 0;
}
