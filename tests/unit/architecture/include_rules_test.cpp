// The floors of the house (docs/architecture.md): no include from a floor to one above it or to
// a room beside it, each C library included by exactly one folder, and the model and the
// interfaces by nothing but the standard library. Include paths cannot enforce this, since
// system headers are found from anywhere, so these tests read the source tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "floors.h"
#include "include_scanner.h"

namespace mapperd::architecture {
namespace {

const std::filesystem::path kSourceTree = MAPPERD_SOURCE_DIR;

bool starts_with_any(const std::string& text, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& prefix) { return text.starts_with(prefix); });
}

// Where a C library may be included: the folders of the layer that owns it, and that layer's
// own tests (tests/<kind>/<layer>/...), which exercise it through the same library (the bus
// tests, for one, call the daemon over a private bus).
struct Owner {
  std::vector<std::string> folders;
  std::string layer;
};

bool is_owned_by(const std::string& file, const Owner& owner) {
  return starts_with_any(file, owner.folders) ||
         (file.starts_with("tests/") && file.find("/" + owner.layer + "/") != std::string::npos);
}

// Every include among `includes` of a header starting with one of `headers` made by a file no
// owner owns.
std::vector<std::string> includes_outside(const std::vector<Include>& includes,
                                          const std::vector<std::string>& headers,
                                          const std::vector<Owner>& owners) {
  std::vector<std::string> violations;
  for (const Include& include : includes) {
    const bool owned = std::any_of(owners.begin(), owners.end(), [&](const Owner& owner) {
      return is_owned_by(include.file, owner);
    });
    if (starts_with_any(include.header, headers) && !owned) {
      violations.push_back(include.describe());
    }
  }
  return violations;
}

TEST(AnOwner, OwnsItsFoldersAndItsLayersTests) {
  const Owner kernel{{"daemon/kernel/"}, "kernel"};
  EXPECT_TRUE(is_owned_by("daemon/kernel/dm_backend.cpp", kernel));
  EXPECT_TRUE(is_owned_by("tests/guest/kernel/backend_test.cpp", kernel));
  EXPECT_FALSE(is_owned_by("daemon/engine/engine.cpp", kernel));
  EXPECT_FALSE(is_owned_by("tests/unit/engine/kernel_steps_test.cpp", kernel));
}

// The same, over the whole source tree.
std::vector<std::string> includes_outside(const std::vector<std::string>& headers,
                                          const std::vector<Owner>& owners) {
  return includes_outside(includes_under(kSourceTree), headers, owners);
}

TEST(TheOwnershipCheck, RefusesALibraryIncludedOutsideItsOwners) {
  const std::vector<Include> includes = {
      Include{"daemon/kernel/dm_backend.cpp", 3, "libdevmapper.h", true},
      Include{"daemon/engine/engine.cpp", 4, "libdevmapper.h", true},
      Include{"daemon/engine/engine.cpp", 5, "libudev.h", true},
  };
  EXPECT_THAT(includes_outside(includes, {"libdevmapper.h"}, {Owner{{"daemon/kernel/"}, "kernel"}}),
              ::testing::ElementsAre("daemon/engine/engine.cpp:4 includes <libdevmapper.h>"));
}

TEST(TheSourceTree, IsWhereTheTestsLook) {
  ASSERT_TRUE(std::filesystem::is_directory(kSourceTree / "daemon" / "model")) << kSourceTree;
  const std::vector<Include> includes = includes_under(kSourceTree);
  EXPECT_TRUE(std::any_of(includes.begin(), includes.end(), [](const Include& include) {
    return include.file == "daemon/model/table.h" && include.header == "device_ref.h";
  })) << "the scan did not see daemon/model/table.h include device_ref.h";
}

// The benchmark's floors (tests/bench/dm_floor.cpp) are libdevmapper itself, on purpose: they
// are what mapperd is measured against, never part of it.
TEST(TheSourceTree, IncludesLibdevmapperOnlyInTheKernelBackend) {
  EXPECT_THAT(includes_outside({"libdevmapper.h"},
                               {Owner{{"daemon/kernel/", "tests/bench/dm_floor.cpp"}, "kernel"}}),
              ::testing::IsEmpty());
}

TEST(TheSourceTree, IncludesLibudevOnlyInTheUdevWatcher) {
  EXPECT_THAT(includes_outside({"libudev.h"}, {Owner{{"daemon/udev/"}, "udev"}}),
              ::testing::IsEmpty());
}

// JSON is the state files' format (docs/state-format.md), read and written in the store, and
// mapperctl's --json output (docs/mapperctl.md), written in the client.
TEST(TheSourceTree, IncludesNlohmannJsonOnlyInTheStateStoreAndTheClient) {
  EXPECT_THAT(includes_outside({"nlohmann/"},
                               {Owner{{"daemon/store/"}, "store"}, Owner{{"client/"}, "client"}}),
              ::testing::IsEmpty());
}

// The loop driver's ioctls live behind LoopDevices. The guest suite's own disks
// (tests/guest/loop_device.cpp) are bound directly, so the code under test never makes its own
// test fixtures.
TEST(TheSourceTree, IncludesTheLoopDriversHeaderOnlyInTheLoopDevices) {
  const Owner loopdev{{"daemon/loopdev/", "tests/guest/loop_device.cpp"}, "loopdev"};
  EXPECT_THAT(includes_outside({"linux/loop.h"}, {loopdev}), ::testing::IsEmpty());
}

// The adaptor and proxy generated from the XML (mapperd-dbus/...) are sdbus-c++ code too.
// daemon/main.cpp wires the real parts together (docs/architecture.md), which includes opening
// the bus connection the bus layer's objects are served on.
// The benchmark's bus client (tests/bench/bench_client.cpp), the load's and the flood's
// (tests/load/) and the authorization suite's descriptor passer are clients as any other program.
TEST(TheSourceTree, IncludesSdbusCppOnlyInTheBusLayerAndTheClient) {
  const Owner bus{{"daemon/bus/", "daemon/main.cpp"}, "bus"};
  const Owner client{{"client/", "tests/bench/bench_client.cpp", "tests/load/",
                      "tests/guest/authorization/attach_descriptor.cpp"},
                     "client"};
  EXPECT_THAT(includes_outside({"sdbus-c++/", "mapperd-dbus/"}, {bus, client}),
              ::testing::IsEmpty());
}

// The C++20 standard library headers (C compatibility headers in their <cxxx> form).
constexpr std::string_view kStandardHeaderNames =
    "algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat "
    "charconv chrono cinttypes climits clocale cmath compare complex concepts "
    "condition_variable coroutine csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib "
    "cstring ctime cuchar cwchar cwctype deque exception execution filesystem format "
    "forward_list fstream functional future initializer_list iomanip ios iosfwd iostream "
    "istream iterator latch limits list locale map memory memory_resource mutex new "
    "numbers numeric optional ostream queue random ranges ratio regex scoped_allocator "
    "semaphore set shared_mutex source_location span sstream stack stdexcept stop_token "
    "streambuf string string_view syncstream system_error thread tuple type_traits "
    "typeindex typeinfo unordered_map unordered_set utility valarray variant vector "
    "version";

bool is_standard_header(const std::string& header) {
  static const std::set<std::string> headers = [] {
    std::set<std::string> names;
    std::istringstream words{std::string(kStandardHeaderNames)};
    for (std::string name; words >> name;)
      names.insert(name);
    return names;
  }();
  return headers.contains(header);
}

// The <angle bracket> includes of `folder` (under daemon/) that are not the standard library's.
std::vector<std::string> system_includes_in(const std::string& folder) {
  std::vector<std::string> violations;
  for (const Include& include : includes_under(kSourceTree / "daemon" / folder)) {
    if (include.angle_brackets && !is_standard_header(include.header))
      violations.push_back("daemon/" + folder + "/" + include.describe());
  }
  return violations;
}

TEST(AStandardHeader, IsOneOfTheStandardLibrarys) {
  EXPECT_TRUE(is_standard_header("vector"));
  EXPECT_TRUE(is_standard_header("cstdint"));
  EXPECT_FALSE(is_standard_header("stdint.h"));
  EXPECT_FALSE(is_standard_header("libudev.h"));
  EXPECT_FALSE(is_standard_header("nlohmann/json.hpp"));
}

// The ground floor, and the interfaces beside it: the standard library and, in quoted includes,
// only what TheSourceTree.KeepsEveryIncludeOnItsFloorOrBelow allows (the model itself).
TEST(TheModel, IncludesOnlyTheStandardLibrary) {
  EXPECT_THAT(system_includes_in("model"), ::testing::IsEmpty());
}

TEST(TheInterfaces, IncludeOnlyTheStandardLibrary) {
  EXPECT_THAT(system_includes_in("interfaces"), ::testing::IsEmpty());
}

// docs/architecture.md: no stairs going back up, no doors between the seams.
TEST(TheSourceTree, KeepsEveryIncludeOnItsFloorOrBelow) {
  EXPECT_THAT(floor_violations(includes_under(kSourceTree), mapperd_floors()),
              ::testing::IsEmpty());
}

// A new folder must be given its floor (here and in docs/architecture.md) before it counts.
TEST(TheSourceTree, HasEveryDaemonFolderOnAFloor) {
  std::vector<std::string> unplaced;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceTree / "daemon")) {
    const std::string room = "daemon/" + entry.path().filename().string();
    if (entry.is_directory() && !mapperd_floors().floor_of_room.contains(room))
      unplaced.push_back(room);
  }
  EXPECT_THAT(unplaced, ::testing::IsEmpty());
}

}  // namespace
}  // namespace mapperd::architecture
