// mapperd's D-Bus face on a private bus, over the fake kernel backend: replies, errors, and the
// signals every change must send, with complete contents, before its reply.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "bus/error_translation.h"
#include "bus_client.h"
#include "mapperd_on_private_bus.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

const std::vector<std::string> kEveryMapProperty = {"AllocatedSectors",
                                                    "AutoExtend",
                                                    "CowFile",
                                                    "CreatedByUID",
                                                    "Dependencies",
                                                    "DeviceNumber",
                                                    "DevicePath",
                                                    "ExtendPercent",
                                                    "FillPercent",
                                                    "FillThresholds",
                                                    "Invalid",
                                                    "MergePending",
                                                    "MetadataSectors",
                                                    "MissingDevices",
                                                    "Name",
                                                    "OpenCount",
                                                    "Owned",
                                                    "Persistent",
                                                    "ReadOnly",
                                                    "Size",
                                                    "SnapshotOrigin",
                                                    "Snapshots",
                                                    "State",
                                                    "Table",
                                                    "TotalSectors",
                                                    "UUID"};

class MapperdOnTheBus : public ::testing::Test {
 protected:
  MapperdOnTheBus() : mapperd_(bus_.address()), client_(bus_.address()) {}

  // The D-Bus error name `action` fails with; fails the test when it succeeds.
  std::string error_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const sdbus::Error& e) {
      return e.getName();
    }
    ADD_FAILURE() << "the call succeeded";
    return "";
  }

  std::string linear(const char* device = "/dev/loop1", int length = 4096) {
    return "0 " + std::to_string(length) + " linear " + device + " 0\n";
  }

  PrivateBus bus_;
  MapperdOnPrivateBus mapperd_;
  BusClient client_;
};

TEST_F(MapperdOnTheBus, ShowsItsVersionTheDriversAndTheKernelsTargets) {
  EXPECT_EQ(client_.get(kManager, kManagerInterface, "KernelDriverVersion").get<std::string>(),
            "4.47.0");
  EXPECT_FALSE(client_.get(kManager, kManagerInterface, "Version").get<std::string>().empty());
  const auto targets = client_.get(kManager, kManagerInterface, "Targets")
                           .get<std::vector<sdbus::Struct<std::string, uint32_t>>>();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(),
                          [](const auto& t) { return std::get<0>(t) == "linear"; }));
}

TEST_F(MapperdOnTheBus, AnnouncesANewMapWithEveryPropertyBeforeItReplies) {
  const sdbus::ObjectPath path = client_.create_map("twoasone", linear());
  EXPECT_EQ(path, map_path("twoasone"));

  const auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].member, "InterfacesAdded");
  EXPECT_EQ(signals[0].path, path);
  ASSERT_TRUE(signals[0].added.count(kMapInterface));
  const Properties& properties = signals[0].added.at(kMapInterface);
  EXPECT_EQ(keys_of(properties), kEveryMapProperty);
  EXPECT_EQ(properties.at("Name").get<std::string>(), "twoasone");
  EXPECT_EQ(properties.at("Size").get<uint64_t>(), 4096u);
  EXPECT_EQ(properties.at("Table").get<std::string>(), "0 4096 linear 7:1 0\n");
  EXPECT_EQ(properties.at("DevicePath").get<std::string>(), "/dev/mapper/twoasone");
  EXPECT_EQ(properties.at("State").get<std::string>(), "active");
  EXPECT_TRUE(properties.at("Owned").get<bool>());
  EXPECT_EQ(properties.at("CreatedByUID").get<uint32_t>(), getuid());
}

TEST_F(MapperdOnTheBus, ListsEveryMapInGetManagedObjects) {
  client_.create_map("a", linear());
  client_.create_map("b", linear("/dev/loop2"));
  const auto objects = client_.managed_objects();
  EXPECT_TRUE(objects.count(map_path("a")));
  EXPECT_TRUE(objects.count(map_path("b")));
  EXPECT_EQ(keys_of(objects.at(map_path("a")).at(kMapInterface)), kEveryMapProperty);
}

TEST_F(MapperdOnTheBus, EscapesMapNamesInObjectPathsAsSdBusDoes) {
  EXPECT_EQ(client_.create_map("my-map.1", linear()), "/org/mapperd/Mapper1/map/my_2dmap_2e1");
}

TEST_F(MapperdOnTheBus, AppliesCreateOptions) {
  client_.create_map("opts", linear(),
                     {{"uuid", sdbus::Variant(std::string("disk-a"))},
                      {"read-only", sdbus::Variant(true)},
                      {"persistent", sdbus::Variant(false)},
                      {"auth.no_user_interaction", sdbus::Variant(true)}});
  const Properties map = client_.get_all(map_path("opts"), kMapInterface);
  EXPECT_EQ(map.at("UUID").get<std::string>(), "MAPPERD-disk-a");
  EXPECT_TRUE(map.at("ReadOnly").get<bool>());
  EXPECT_FALSE(map.at("Persistent").get<bool>());
}

TEST_F(MapperdOnTheBus, RefusesUnknownOptionsAndWrongTypesWithInvalidArgument) {
  EXPECT_EQ(error_of([&] {
              client_.create_map("x", linear(), {{"colour", sdbus::Variant(true)}});
            }),
            "org.mapperd.Mapper1.Error.InvalidArgument");
  EXPECT_EQ(
      error_of([&] {
        client_.create_map("x", linear(), {{"read-only", sdbus::Variant(std::string("yes"))}});
      }),
      "org.mapperd.Mapper1.Error.InvalidArgument");
  EXPECT_THAT(client_.take_signals(), IsEmpty());
}

TEST_F(MapperdOnTheBus, TranslatesEveryRefusalIntoItsOwnError) {
  client_.create_map("taken", linear());
  EXPECT_EQ(error_of([&] { client_.create_map("taken", linear("/dev/loop2")); }),
            "org.mapperd.Mapper1.Error.AlreadyExists");
  EXPECT_EQ(error_of([&] { client_.create_map("bad/name", linear()); }),
            "org.mapperd.Mapper1.Error.InvalidName");
  EXPECT_EQ(error_of([&] { client_.create_map("t", "0 10 linear /dev/loop1\n"); }),
            "org.mapperd.Mapper1.Error.InvalidTable");
  EXPECT_EQ(error_of([&] { client_.create_map("t", "0 10 linear /dev/loop9 0\n"); }),
            "org.mapperd.Mapper1.Error.DeviceMissing");
  EXPECT_EQ(error_of([&] { client_.create_snapshot("nothing", "s", "/dev/cow1"); }),
            "org.mapperd.Mapper1.Error.NotFound");
}

TEST_F(MapperdOnTheBus, SaysWhatFailedInTheErrorMessage) {
  try {
    client_.create_map("t", "0 10 linear /dev/loop1\n");
    FAIL();
  } catch (const sdbus::Error& e) {
    EXPECT_THAT(e.getMessage(), HasSubstr("line 1"));
  }
}

TEST_F(MapperdOnTheBus, RefusesToChangeAnotherToolsMapWithNotOwned) {
  mapperd_.on_kernel([](FakeKernelBackend& fake) {
    fake.create(CreateRequest{
        .name = "vg0-root", .uuid = "LVM-abc", .table = {{Sectors(0), Sectors(8), "zero", ""}}});
  });
  // udev's event for it makes mapperd read it; an operation on another map does not.
  client_.create_map("mine", linear());
  EXPECT_EQ(error_of([&] { client_.get(map_path("vg0-root"), kMapInterface, "Owned"); }),
            "org.freedesktop.DBus.Error.UnknownObject");
  mapperd_.device_mapper_event("vg0-root");
  // The rescan runs on the daemon's thread: its object appears a moment later.
  for (int i = 0; i < 100; ++i) {
    try {
      client_.get(map_path("vg0-root"), kMapInterface, "Owned");
      break;
    } catch (const sdbus::Error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_FALSE(client_.get(map_path("vg0-root"), kMapInterface, "Owned").get<bool>());
  EXPECT_EQ(error_of([&] { client_.map_call("vg0-root", "Remove"); }),
            "org.mapperd.Mapper1.Error.NotOwned");
}

TEST_F(MapperdOnTheBus, SendsTheNewStateWhenAMapIsSuspendedAndResumed) {
  client_.create_map("pause", linear());
  client_.take_signals();
  client_.map_call("pause", "Suspend", {{"noflush", sdbus::Variant(true)}});
  auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].member, "PropertiesChanged");
  EXPECT_EQ(signals[0].changed_interface, kMapInterface);
  EXPECT_EQ(signals[0].changed.at("State").get<std::string>(), "suspended");

  client_.map_call("pause", "Resume");
  signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].changed.at("State").get<std::string>(), "active");
}

TEST_F(MapperdOnTheBus, SendsTheNewTableAndSizeAfterAReload) {
  client_.create_map("grow", linear("/dev/loop1", 1024));
  client_.take_signals();
  client_.call(map_path("grow"), kMapInterface, "Reload", std::tie(), linear("/dev/loop1", 2048),
               Properties{});
  const auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(keys_of(signals[0].changed), (std::vector<std::string>{"Size", "Table"}));
  EXPECT_EQ(signals[0].changed.at("Size").get<uint64_t>(), 2048u);
}

TEST_F(MapperdOnTheBus, MovesARenamedMapsObject) {
  client_.create_map("old", linear());
  client_.take_signals();
  sdbus::ObjectPath moved;
  client_.call(map_path("old"), kMapInterface, "Rename", std::tie(moved), std::string("new"),
               Properties{});
  EXPECT_EQ(moved, map_path("new"));
  const auto signals = client_.take_signals();
  EXPECT_THAT(members_of(signals), ElementsAre("InterfacesRemoved " + map_path("old"),
                                               "InterfacesAdded " + map_path("new")));
  EXPECT_EQ(keys_of(signals[1].added.at(kMapInterface)), kEveryMapProperty);
  EXPECT_EQ(signals[1].added.at(kMapInterface).at("Name").get<std::string>(), "new");
}

TEST_F(MapperdOnTheBus, AnnouncesARemovalBeforeItReplies) {
  client_.create_map("gone", linear());
  client_.take_signals();
  client_.map_call("gone", "Remove", {{"force", sdbus::Variant(false)}});
  const auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].member, "InterfacesRemoved");
  EXPECT_EQ(signals[0].path, map_path("gone"));
  EXPECT_THAT(signals[0].removed, ::testing::Contains(kMapInterface));
  EXPECT_FALSE(client_.managed_objects().count(map_path("gone")));
}

TEST_F(MapperdOnTheBus, AnnouncesASnapshotAndTheOriginThatNowHasIt) {
  client_.create_map("origin", linear());
  client_.take_signals();
  const sdbus::ObjectPath snap = client_.create_snapshot(
      "origin", "snap", "/dev/cow1", {{"chunk-size", sdbus::Variant(uint64_t{16})}});
  const auto signals = client_.take_signals();
  ASSERT_THAT(members_of(signals), ElementsAre("InterfacesAdded " + map_path("snap"),
                                               "PropertiesChanged " + map_path("origin")));
  EXPECT_EQ(signals[0].added.at(kMapInterface).at("SnapshotOrigin").get<sdbus::ObjectPath>(),
            map_path("origin"));
  EXPECT_THAT(signals[1].changed.at("Snapshots").get<std::vector<sdbus::ObjectPath>>(),
              ElementsAre(snap));
  EXPECT_THAT(client_.get(snap, kMapInterface, "Table").get<std::string>(), HasSubstr(" P 16"));
  EXPECT_FALSE(client_.managed_objects().count(map_path("origin-real")));
  EXPECT_EQ(error_of([&] { client_.map_call("origin", "Remove"); }),
            "org.mapperd.Mapper1.Error.Busy");
}

TEST_F(MapperdOnTheBus, ShowsASnapshotsOwnFillThresholds) {
  client_.create_map("origin", linear());
  const sdbus::ObjectPath snap =
      client_.create_snapshot("origin", "snap", "/dev/cow1",
                              {{"fill-thresholds", sdbus::Variant(std::vector<uint32_t>{50, 90})}});
  EXPECT_THAT(client_.get(snap, kMapInterface, "FillThresholds").get<std::vector<uint32_t>>(),
              ElementsAre(50u, 90u));
  EXPECT_EQ(client_.get(snap, kMapInterface, "CowFile").get<std::string>(), "");
  EXPECT_FALSE(client_.get(snap, kMapInterface, "AutoExtend").get<bool>());
  EXPECT_THAT(
      client_.get(map_path("origin"), kMapInterface, "FillThresholds").get<std::vector<uint32_t>>(),
      ::testing::IsEmpty());
}

TEST_F(MapperdOnTheBus, RepliesToMessagesAndStatusRequests) {
  client_.create_map("stats", linear());
  std::string reply, status;
  client_.call(map_path("stats"), kMapInterface, "Message", std::tie(reply), uint64_t{0},
               std::string("@stats_create - /1"), Properties{});
  EXPECT_EQ(reply, "0");
  client_.call(map_path("stats"), kMapInterface, "GetStatus", std::tie(status));
  EXPECT_EQ(status, "0 4096 linear \n");
}

TEST_F(MapperdOnTheBus, LogsACryptKeyMessageWithItsKeyMasked) {
  const std::string key(64, 'c');
  client_.create_map("secret", "0 4096 crypt aes-xts-plain64 " + key + " 0 /dev/loop1 0\n");
  client_.map_call("secret", "Suspend");
  std::string reply;
  client_.call(map_path("secret"), kMapInterface, "Message", std::tie(reply), uint64_t{0},
               "key set " + key, Properties{});
  const std::vector<std::string> logged = mapperd_.logged();
  EXPECT_THAT(logged, Contains(HasSubstr("sent message 'key set <masked>' to map secret")));
  EXPECT_THAT(logged, Each(Not(HasSubstr(key))));
}

TEST_F(MapperdOnTheBus, ValidatesATableLineByLine) {
  std::vector<sdbus::Struct<uint32_t, std::string, std::string>> problems;
  client_.call(kManager, kManagerInterface, "ValidateTable", std::tie(problems),
               std::string("0 100 linear /dev/loop1 0\n50 10 zero\n"));
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(std::get<0>(problems[0]), 2u);
  std::vector<sdbus::Struct<uint32_t, std::string, std::string>> none;
  client_.call(kManager, kManagerInterface, "ValidateTable", std::tie(none), linear());
  EXPECT_THAT(none, IsEmpty());
}

TEST_F(MapperdOnTheBus, KeepsAnsweringReadsWhileTheKernelIsBusy) {
  client_.create_map("steady", linear());
  std::mutex gate;
  gate.lock();
  mapperd_.on_kernel([&gate](FakeKernelBackend&) { std::lock_guard hold(gate); });

  bool created = false;
  auto proxy = sdbus::createProxy(client_.connection(), "org.mapperd.Mapper1", kManager);
  auto pending = proxy->callMethodAsync("CreateMap")
                     .onInterface(kManagerInterface)
                     .withArguments(std::string("later"), linear("/dev/loop2"), Properties{})
                     .uponReplyInvoke([&](const sdbus::Error* error, sdbus::ObjectPath) {
                       created = error == nullptr;
                     });
  EXPECT_EQ(client_.get(map_path("steady"), kMapInterface, "Size").get<uint64_t>(), 4096u);
  EXPECT_EQ(client_.managed_objects().size(), 1u);
  EXPECT_FALSE(created);

  gate.unlock();
  for (int i = 0; i < 500 && !created; ++i) {
    client_.dispatch();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(created);
}

TEST_F(MapperdOnTheBus, CreatesABatchAndAnnouncesItBeforeTheReply) {
  using Batch = std::vector<sdbus::Struct<std::string, std::string, Properties>>;
  std::vector<sdbus::ObjectPath> made;
  client_.call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "CreateMaps", std::tie(made),
               Batch{{"one", linear(), {}},
                     {"two", linear("/dev/loop2"), {{"persistent", sdbus::Variant(false)}}}},
               Properties{});
  EXPECT_THAT(made, ElementsAre(map_path("one"), map_path("two")));
  // The signals were sent before the reply, so they are here already.
  auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(2));
  EXPECT_EQ(signals[0].member, "InterfacesAdded");
  EXPECT_EQ(signals[1].path, map_path("two"));
  EXPECT_FALSE(client_.get(map_path("two"), kMapInterface, "Persistent").get<bool>());

  EXPECT_EQ(error_of([&] {
              client_.call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "RemoveMaps",
                           std::tie(), std::vector<sdbus::ObjectPath>{map_path("one"), "/x"},
                           Properties{});
            }),
            "org.mapperd.Mapper1.Error.InvalidArgument");
  client_.call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "RemoveMaps", std::tie(),
               made, Properties{});
  signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(2));
  EXPECT_EQ(signals[0].member, "InterfacesRemoved");
}

// journalctl MAPPERD_MAP=NAME tells a map's whole story, whether one call or a batch changed it.
TEST_F(MapperdOnTheBus, LogsEachMapOfABatchUnderItsOwnName) {
  using Batch = std::vector<sdbus::Struct<std::string, std::string, Properties>>;
  std::vector<sdbus::ObjectPath> made;
  client_.call(kManager, kManagerInterface, "CreateMaps", std::tie(made),
               Batch{{"one", linear(), {}}, {"two", linear("/dev/loop2"), {}}}, Properties{});
  client_.call(kManager, kManagerInterface, "RemoveMaps", std::tie(), made, Properties{});
  const std::vector<std::string> logged = mapperd_.logged();
  for (const std::string name : {"one", "two"}) {
    EXPECT_THAT(logged, Contains(AllOf(StartsWith("created map " + name + " "),
                                       HasSubstr("MAPPERD_MAP=" + name))));
    EXPECT_THAT(logged, Contains(AllOf(StartsWith("removed map " + name + " "),
                                       HasSubstr("MAPPERD_MAP=" + name))));
  }
}

TEST_F(MapperdOnTheBus, KeepsThePartOfAPartialBatchThatWorked) {
  using Batch = std::vector<sdbus::Struct<std::string, std::string, Properties>>;
  std::vector<sdbus::ObjectPath> made;
  client_.call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "CreateMaps", std::tie(made),
               Batch{{"good", linear(), {}}, {"bad", "0 8 frobnicate\n", {}}},
               Properties{{"partial", sdbus::Variant(true)}});
  EXPECT_THAT(made, ElementsAre(map_path("good")));
  EXPECT_EQ(error_of([&] {
              client_.call("/org/mapperd/Mapper1", "org.mapperd.Mapper1.Manager", "CreateMaps",
                           std::tie(made),
                           Batch{{"more", linear(), {{"nosuch", sdbus::Variant(1)}}}},
                           Properties{});
            }),
            "org.mapperd.Mapper1.Error.InvalidArgument");
}

TEST(ErrorTranslation, GivesUnexpectedExceptionsTheFailedError) {
  const sdbus::Error error =
      bus::to_dbus_error(std::make_exception_ptr(std::logic_error("surprise")));
  EXPECT_EQ(error.getName(), "org.mapperd.Mapper1.Error.Failed");
  EXPECT_THAT(error.getMessage(), HasSubstr("surprise"));
}

TEST(ErrorTranslation, NamesEveryErrorKind) {
  EXPECT_EQ(
      bus::to_dbus_error(std::make_exception_ptr(Error(ErrorKind::TimedOut, "udev"))).getName(),
      "org.mapperd.Mapper1.Error.TimedOut");
  EXPECT_EQ(bus::dbus_error_name(ErrorKind::Store), "org.mapperd.Mapper1.Error.Store");
}

}  // namespace
}  // namespace mapperd::testing
