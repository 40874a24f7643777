// The floor check itself, on include graphs made for the test: a checker that passed everything
// would let the house fall without a sound.
#include "floors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd::architecture {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Include quoted(std::string file, std::string header) {
  return Include{std::move(file), 1, std::move(header), false};
}

std::vector<std::string> violations_of(std::vector<Include> includes) {
  return floor_violations(includes, mapperd_floors());
}

TEST(AFileInARoom, IsInTheLongestRoomAboveIt) {
  EXPECT_EQ(room_of(mapperd_floors(), "daemon/engine/engine.cpp"), "daemon/engine");
  EXPECT_EQ(room_of(mapperd_floors(), "daemon/main.cpp"), "daemon");
  EXPECT_EQ(room_of(mapperd_floors(), "client/app.cpp"), "client");
  EXPECT_EQ(room_of(mapperd_floors(), "tests/unit/engine/engine_fixture.cpp"), std::nullopt);
  EXPECT_EQ(room_of(mapperd_floors(), "daemon/engineering/x.cpp"), "daemon");
}

TEST(AnInclude, NamesARoomByItsFirstFolderOrTheFilesOwn) {
  EXPECT_EQ(room_included(mapperd_floors(), "daemon/bus", "engine/engine.h"), "daemon/engine");
  EXPECT_EQ(room_included(mapperd_floors(), "daemon/bus", "caller.h"), "daemon/bus");
  EXPECT_EQ(room_included(mapperd_floors(), "daemon/bus", "mapperd-dbus/mapper1_adaptor.h"),
            std::nullopt);
}

TEST(TheFloorCheck, PassesIncludesOfOwnRoomAndLowerFloors) {
  EXPECT_THAT(violations_of({
                  quoted("daemon/model/table.h", "device_ref.h"),
                  quoted("daemon/interfaces/loop_devices.h", "model/device_identity.h"),
                  quoted("daemon/udev/udev_device_directory.h", "interfaces/device_directory.h"),
                  quoted("daemon/kernel/dm_backend.h", "kernel/kernel_backend.h"),
                  quoted("daemon/engine/engine.h", "kernel/kernel_thread.h"),
                  quoted("daemon/engine/engine.h", "loop_record.h"),
                  quoted("daemon/bus/bus_service.h", "engine/engine.h"),
                  quoted("daemon/bus/bus_service.h", "events/event_loop.h"),
                  quoted("daemon/main.cpp", "udev/udev_activity_monitor.h"),
                  quoted("daemon/main.cpp", "real_storage.h"),
                  quoted("client/app.cpp", "model/table.h"),
                  quoted("client/app.cpp", "verbs.h"),
                  quoted("client/app.cpp", "mapperd-dbus/mapper1_proxy.h"),
                  Include{"daemon/model/error.h", 2, "libudev.h", true},
                  quoted("tests/unit/udev/x_test.cpp", "loopdev/loop_sysfs.h"),
              }),
              IsEmpty());
}

TEST(TheFloorCheck, RefusesASeamIncludingTheSeamBesideIt) {
  EXPECT_THAT(
      violations_of({quoted("daemon/udev/block_event_translation.cpp", "loopdev/loop_sysfs.h")}),
      ElementsAre("daemon/udev/block_event_translation.cpp:1 includes "
                  "\"loopdev/loop_sysfs.h\": daemon/udev (floor 2) may not include "
                  "daemon/loopdev (floor 2)"));
}

TEST(TheFloorCheck, RefusesALowerFloorIncludingAHigherOne) {
  EXPECT_THAT(violations_of({
                  quoted("daemon/model/table.h", "engine/engine.h"),
                  quoted("daemon/kernel/kernel_thread.h", "engine/outcome.h"),
                  quoted("daemon/engine/engine.h", "bus/caller.h"),
                  quoted("daemon/interfaces/loop_devices.h", "loopdev/loop_errors.h"),
              }),
              ElementsAre(::testing::HasSubstr("daemon/model (floor 0) may not include "
                                               "daemon/engine (floor 3)"),
                          ::testing::HasSubstr("daemon/kernel (floor 2) may not include "
                                               "daemon/engine (floor 3)"),
                          ::testing::HasSubstr("daemon/engine (floor 3) may not include "
                                               "daemon/bus (floor 4)"),
                          ::testing::HasSubstr("daemon/interfaces (floor 1) may not include "
                                               "daemon/loopdev (floor 2)")));
}

TEST(TheFloorCheck, RefusesTheClientAnyDaemonRoomButTheModel) {
  EXPECT_THAT(violations_of({quoted("client/app.cpp", "engine/engine.h"),
                             quoted("client/app.cpp", "interfaces/loop_devices.h")}),
              ElementsAre("client/app.cpp:1 includes \"engine/engine.h\": client (apart) may not "
                          "include daemon/engine (floor 3)",
                          "client/app.cpp:1 includes \"interfaces/loop_devices.h\": client "
                          "(apart) may not include daemon/interfaces (floor 1)"));
}

TEST(TheFloorCheck, RefusesAnIncludeOfARoomItDoesNotKnow) {
  EXPECT_THAT(violations_of({quoted("daemon/bus/bus_service.h", "loop/event_loop.h")}),
              ElementsAre("daemon/bus/bus_service.h:1 includes \"loop/event_loop.h\": "
                          "daemon/loop is no room of docs/architecture.md"));
}

}  // namespace
}  // namespace mapperd::architecture
