// CreateMap's bind-to-caller on a private bus: a map that lives only as long as the bus
// connection that made it, whatever becomes of it in between.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "bus_client.h"
#include "mapperd_on_private_bus.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

const Properties kBound{{"bind-to-caller", sdbus::Variant(true)}};

class CallerBoundMapsOnTheBus : public ::testing::Test {
 protected:
  CallerBoundMapsOnTheBus() : mapperd_(bus_.address()), watcher_(bus_.address()) {}

  // Waits (as a watcher that stays) for `name`'s object to go.
  bool removed(const std::string& name) {
    const auto signals = watcher_.wait_for_signal([&](const RecordedSignal& signal) {
      return signal.member == "InterfacesRemoved" && signal.path == map_path(name);
    });
    return !signals.empty() && signals.back().member == "InterfacesRemoved" &&
           !watcher_.managed_objects().count(map_path(name));
  }

  PrivateBus bus_;
  MapperdOnPrivateBus mapperd_;
  BusClient watcher_;
};

TEST_F(CallerBoundMapsOnTheBus, RemovesTheMapWhenItsCallerLeavesTheBus) {
  auto caller = std::make_unique<BusClient>(bus_.address());
  caller->create_map("scratch", "0 64 linear /dev/loop1 0\n", kBound);
  EXPECT_FALSE(watcher_.get(map_path("scratch"), kMapInterface, "Persistent").get<bool>());
  watcher_.take_signals();
  caller.reset();
  EXPECT_TRUE(removed("scratch"));
  EXPECT_THAT(mapperd_.logged(), Contains(HasSubstr("removing map scratch: it was bound to")));
}

TEST_F(CallerBoundMapsOnTheBus, KeepsTheMapWhileItsCallerStaysAndOtherCallersGo) {
  BusClient caller(bus_.address());
  caller.create_map("scratch", "0 64 linear /dev/loop1 0\n", kBound);
  auto other = std::make_unique<BusClient>(bus_.address());
  other->create_map("kept", "0 64 linear /dev/loop1 64\n");
  other.reset();
  watcher_.managed_objects();  // a round trip: mapperd has heard of other's leaving by now
  EXPECT_TRUE(watcher_.managed_objects().count(map_path("scratch")));
  EXPECT_TRUE(watcher_.managed_objects().count(map_path("kept")));
}

TEST_F(CallerBoundMapsOnTheBus, FollowsARenamedMap) {
  auto caller = std::make_unique<BusClient>(bus_.address());
  caller->create_map("scratch", "0 64 linear /dev/loop1 0\n", kBound);
  sdbus::ObjectPath moved;
  caller->call(map_path("scratch"), kMapInterface, "Rename", std::tie(moved),
               std::string("renamed"), Properties{});
  watcher_.take_signals();
  caller.reset();
  EXPECT_TRUE(removed("renamed"));
}

TEST_F(CallerBoundMapsOnTheBus, RefusesAPersistentBoundMapAndMakesNothing) {
  Properties options = kBound;
  options["persistent"] = sdbus::Variant(true);
  try {
    watcher_.create_map("scratch", "0 64 linear /dev/loop1 0\n", options);
    ADD_FAILURE() << "the call succeeded";
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.mapperd.Mapper1.Error.InvalidArgument");
    EXPECT_THAT(e.getMessage(), HasSubstr("cannot be persistent"));
  }
  EXPECT_FALSE(watcher_.managed_objects().count(map_path("scratch")));
}

TEST_F(CallerBoundMapsOnTheBus, IsForOneMapCallsOnly) {
  std::vector<sdbus::ObjectPath> made;
  using Batch = std::vector<sdbus::Struct<std::string, std::string, Properties>>;
  try {
    watcher_.call(kManager, kManagerInterface, "CreateMaps", std::tie(made),
                  Batch{{"scratch", "0 64 linear /dev/loop1 0\n", kBound}}, Properties{});
    ADD_FAILURE() << "the call succeeded";
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.mapperd.Mapper1.Error.InvalidArgument");
  }
}

}  // namespace
}  // namespace mapperd::testing
