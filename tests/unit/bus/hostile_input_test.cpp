// What a hostile or broken caller can send mapperd over the bus: names with '/' or control
// characters, sizes past every limit, floods of options. Each is refused with its own error,
// quickly, the daemon keeps answering, and nothing is made.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "bus_client.h"
#include "mapperd_on_private_bus.h"
#include "model/names.h"
#include "model/request_limits.h"
#include "model/table_limits.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kInvalidName = "org.mapperd.Mapper1.Error.InvalidName";
constexpr const char* kInvalidArgument = "org.mapperd.Mapper1.Error.InvalidArgument";
constexpr const char* kInvalidTable = "org.mapperd.Mapper1.Error.InvalidTable";
const std::string kTable = "0 4096 linear /dev/loop1 0\n";

class AHostileCaller : public ::testing::Test {
 protected:
  AHostileCaller() : mapperd_(bus_.address()), client_(bus_.address()) {}

  ~AHostileCaller() override {
    // Whatever was sent, the daemon answers the next caller.
    EXPECT_FALSE(client_.get(kManager, kManagerInterface, "Version").get<std::string>().empty());
  }

  // The refusal `action` gets: the D-Bus error's name, and its message.
  sdbus::Error refusal_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const sdbus::Error& e) {
      return e;
    }
    ADD_FAILURE() << "the call succeeded";
    return sdbus::Error("none", "");
  }
  std::string error_of(const std::function<void()>& action) { return refusal_of(action).getName(); }

  std::string message(const std::string& map, const std::string& text) {
    std::string reply;
    client_.call(map_path(map), kMapInterface, "Message", std::tie(reply), uint64_t{0}, text,
                 Properties{});
    return reply;
  }

  PrivateBus bus_;
  MapperdOnPrivateBus mapperd_;
  BusClient client_;
};

TEST_F(AHostileCaller, CannotNameAMapWithASlashOrAControlCharacter) {
  // \001 is octal: "\x01b" would be the single byte 0x1b.
  for (const std::string name : {"a/b", "../x", "a\nb", "a\001b", "a\tb", "a\x7f", "a b"}) {
    EXPECT_EQ(error_of([&] { client_.create_map(name, kTable); }), kInvalidName) << name;
  }
  client_.create_map("good", kTable);
  for (const std::string name : {"a/b", "a\nb"}) {
    EXPECT_EQ(error_of([&] {
                sdbus::ObjectPath moved;
                client_.call(map_path("good"), kMapInterface, "Rename", std::tie(moved), name,
                             Properties{});
              }),
              kInvalidName)
        << name;
  }
  EXPECT_THAT(client_.managed_objects(), SizeIs(1));
}

TEST_F(AHostileCaller, CannotSendANameOrUuidPastItsLimit) {
  EXPECT_EQ(error_of([&] { client_.create_map(std::string(kMaxNameBytes + 1, 'n'), kTable); }),
            kInvalidName);
  const sdbus::Error huge =
      refusal_of([&] { client_.create_map(std::string(1 << 20, 'n'), kTable); });
  EXPECT_EQ(huge.getName(), kInvalidName);
  // The message quotes the start of the name, not a megabyte of it.
  EXPECT_LT(huge.getMessage().size(), 1000u);
  EXPECT_EQ(error_of([&] {
              client_.create_map("u", kTable,
                                 {{"uuid", sdbus::Variant(std::string(kMaxUuidBytes + 1, 'u'))}});
            }),
            kInvalidArgument);
  EXPECT_THAT(client_.managed_objects(), IsEmpty());
}

TEST_F(AHostileCaller, HasATableOfAMillionLinesRefusedQuickly) {
  std::string million_segments;
  for (int line = 0; line < 1'000'000; ++line)
    million_segments += "0 1 zero\n";
  std::string million_blank_lines(1'000'000, '\n');
  ASSERT_LE(million_blank_lines.size(), kMaxTableBytes);

  for (const std::string* table : {&million_segments, &million_blank_lines}) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { client_.create_map("big", *table); }), kInvalidTable);
    std::vector<sdbus::Struct<uint32_t, std::string, std::string>> problems;
    client_.call(kManager, kManagerInterface, "ValidateTable", std::tie(problems), *table);
    EXPECT_THAT(problems, Not(IsEmpty()));
    // Generous for a loaded 2-core CI host; parsing a million lines one by one would not be.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  }
  EXPECT_THAT(client_.managed_objects(), IsEmpty());
}

TEST_F(AHostileCaller, CannotSendAMessagePastItsLimit) {
  client_.create_map("stats", kTable);
  std::string at_limit = "@stats_create - /1";
  at_limit.resize(kMaxMessageBytes, ' ');
  EXPECT_EQ(message("stats", at_limit), "0");
  const sdbus::Error refusal = refusal_of([&] { message("stats", at_limit + " "); });
  EXPECT_EQ(refusal.getName(), kInvalidArgument);
  EXPECT_THAT(refusal.getMessage(), HasSubstr("the limit is 4096"));
}

TEST_F(AHostileCaller, CannotFloodTheOptions) {
  Properties flood;
  for (int key = 0; key < 100'000; ++key)
    flood.emplace("key" + std::to_string(key), sdbus::Variant(true));
  const sdbus::Error refusal = refusal_of([&] { client_.create_map("flooded", kTable, flood); });
  EXPECT_EQ(refusal.getName(), kInvalidArgument);
  EXPECT_THAT(refusal.getMessage(), HasSubstr("unknown option"));
  EXPECT_THAT(client_.managed_objects(), IsEmpty());
}

TEST_F(AHostileCaller, CannotSendAnOptionOfTheWrongTypeOrAnUnknownOne) {
  EXPECT_EQ(error_of([&] {
              client_.create_map("x", kTable,
                                 {{"auth.no_user_interaction", sdbus::Variant(std::string("no"))}});
            }),
            kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              client_.create_map("x", kTable, {{"uuid", sdbus::Variant(uint64_t{7})}});
            }),
            kInvalidArgument);
  client_.create_map("m", kTable);
  EXPECT_EQ(error_of([&] {
              client_.map_call("m", "Suspend", {{"force", sdbus::Variant(true)}});
            }),
            kInvalidArgument);
  EXPECT_EQ(client_.get(map_path("m"), kMapInterface, "State").get<std::string>(), "active");
}

TEST_F(AHostileCaller, CannotAskForACowThatIsNeitherADeviceNorASizeOrBoth) {
  client_.create_map("origin", kTable);
  auto refusal = [&](const std::string& cow, const Properties& options) {
    return refusal_of([&] { client_.create_snapshot("origin", "s", cow, options); }).getMessage();
  };
  EXPECT_THAT(refusal("", {}), HasSubstr("no COW: give a COW device, or the option 'cow-size'"));
  EXPECT_THAT(refusal("", {{"cow-size", sdbus::Variant(uint64_t{1 << 20})},
                           {"cow-percent", sdbus::Variant(uint32_t{10})}}),
              HasSubstr("give one"));
  EXPECT_THAT(refusal("", {{"cow-size", sdbus::Variant(uint64_t{0})}}), HasSubstr("0 bytes"));
  EXPECT_THAT(refusal("", {{"cow-percent", sdbus::Variant(uint64_t{10})}}),
              HasSubstr("option 'cow-percent' must have type 'u', not 't'"));
  EXPECT_THAT(refusal("/dev/cow1", {{"auto-extend", sdbus::Variant(true)}}),
              HasSubstr("grows only a COW file mapperd makes"));
  EXPECT_THAT(refusal("/dev/cow1", {{"fill-thresholds", sdbus::Variant(std::vector<uint32_t>{})}}),
              HasSubstr("empty list"));
  EXPECT_THAT(
      refusal("/dev/cow1", {{"fill-thresholds", sdbus::Variant(std::vector<uint32_t>{90, 50})}}),
      HasSubstr("50 after 90; they must increase"));
  EXPECT_THAT(refusal("/dev/cow1", {{"fill-thresholds", sdbus::Variant(std::string("80"))}}),
              HasSubstr("must have type 'au'"));
  EXPECT_THAT(client_.managed_objects(), SizeIs(1));
}

TEST_F(AHostileCaller, CannotSendAHugeCowDevice) {
  client_.create_map("origin", kTable);
  const sdbus::Error refusal = refusal_of(
      [&] { client_.create_snapshot("origin", "s", "/dev/" + std::string(1 << 20, 'c')); });
  EXPECT_EQ(refusal.getName(), kInvalidArgument);
  EXPECT_LT(refusal.getMessage().size(), 1000u);
  EXPECT_THAT(client_.managed_objects(), SizeIs(1));
}

}  // namespace
}  // namespace mapperd::testing
