// Batches over the fake kernel: create_maps() all or nothing or partial, remove_maps() with
// dependents first, and what the kernel and the observer saw.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class AnEngineWithBatches : public EngineFixture {
 protected:
  AnEngineWithBatches() {
    start_engine();
    observer_.events.clear();
  }

  CreateMapRequest request(const std::string& name, const std::string& table) {
    return CreateMapRequest{.name = name, .table = table};
  }

  Outcome<CreatedMaps> create_all(std::vector<CreateMapRequest> requests, bool partial) {
    std::optional<Outcome<CreatedMaps>> created;
    engine_.create_maps(std::move(requests), partial, [&](Outcome<CreatedMaps> outcome) {
      observer_.events.push_back("completed");
      created = std::move(outcome);
    });
    return wait_for(created);
  }

  Outcome<Done> remove_all(std::vector<std::string> names) {
    std::optional<Outcome<Done>> removed;
    engine_.remove_maps(std::move(names), {}, [&](Outcome<Done> outcome) {
      observer_.events.push_back("completed");
      removed = std::move(outcome);
    });
    return wait_for(removed);
  }

  static std::string message_of(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  static ErrorKind kind_of(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      return e.kind();
    }
  }

  // A map the engine has not seen yet: its name makes the kernel refuse a create of that name.
  void make_behind_its_back(const std::string& name) {
    on_kernel([&](FakeKernelBackend& fake) {
      fake.create(CreateRequest{.name = name,
                                .uuid = "LVM-" + name,
                                .table = {{Sectors(0), Sectors(8), "linear", "7:2 0"}}});
    });
  }

  bool in_kernel(const std::string& name) {
    bool there = false;
    on_kernel([&](FakeKernelBackend& fake) { there = fake.info(name).has_value(); });
    return there;
  }
};

TEST_F(AnEngineWithBatches, MakesEveryMapAndAnnouncesThemAllBeforeItCompletes) {
  const Outcome<CreatedMaps> created = create_all(
      {request("a", linear_table(kLoop1, 8)), request("b", linear_table(kLoop2, 8))}, false);
  ASSERT_TRUE(created.ok()) << message_of(created.error());
  ASSERT_EQ(created.value().made.size(), 2u);
  EXPECT_EQ(created.value().made[0].name, "a");
  EXPECT_EQ(created.value().made[1].name, "b");
  EXPECT_THAT(created.value().failed, IsEmpty());
  EXPECT_THAT(observer_.events, ElementsAre("added a", "added b", "completed"));
}

TEST_F(AnEngineWithBatches, MakesNothingWhenOneTableIsRefusedUpFront) {
  const Outcome<CreatedMaps> created =
      create_all({request("a", linear_table()), request("b", "0 8 frobnicate 1\n"),
                  request("c", linear_table(kLoop2))},
                 false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(kind_of(created.error()), ErrorKind::InvalidTable);
  EXPECT_THAT(message_of(created.error()), HasSubstr("map #2 'b'"));
  EXPECT_THAT(message_of(created.error()), HasSubstr("nothing was made"));
  EXPECT_THAT(kernel_calls(), Not(Contains("create a")));
  EXPECT_EQ(engine_.catalog().find("a"), nullptr);
  EXPECT_THAT(observer_.events, ElementsAre("completed"));
}

TEST_F(AnEngineWithBatches, RemovesWhatItMadeWhenTheKernelRefusesALaterMap) {
  make_behind_its_back("b");
  const Outcome<CreatedMaps> created = create_all(
      {request("a", linear_table()), request("b", linear_table()), request("c", linear_table())},
      false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(kind_of(created.error()), ErrorKind::AlreadyExists);
  EXPECT_THAT(message_of(created.error()), HasSubstr("map #2 'b'"));
  EXPECT_THAT(message_of(created.error()), HasSubstr("1 map(s) made before it were removed"));
  EXPECT_THAT(kernel_calls(), Contains("remove a"));
  EXPECT_THAT(kernel_calls(), Not(Contains("create c")));
  EXPECT_FALSE(in_kernel("a"));
  EXPECT_FALSE(in_kernel("c"));
  EXPECT_EQ(engine_.catalog().find("a"), nullptr);
  // The other tool's map is read (the batch named it) and left alone.
  EXPECT_TRUE(in_kernel("b"));
  EXPECT_FALSE(map("b").owned);
}

TEST_F(AnEngineWithBatches, KeepsTheMapsThatWorkedWhenPartial) {
  make_behind_its_back("b");
  const Outcome<CreatedMaps> created =
      create_all({request("a", linear_table()), request("b", linear_table()),
                  request("bad", "0 8 linear /dev/nothing 0\n"), request("c", linear_table())},
                 true);
  ASSERT_TRUE(created.ok()) << message_of(created.error());
  ASSERT_EQ(created.value().made.size(), 2u);
  EXPECT_EQ(created.value().made[0].name, "a");
  EXPECT_EQ(created.value().made[1].name, "c");
  ASSERT_EQ(created.value().failed.size(), 2u);
  EXPECT_EQ(created.value().failed[0].index, 1u);
  EXPECT_EQ(created.value().failed[0].kind, ErrorKind::AlreadyExists);
  EXPECT_EQ(created.value().failed[1].name, "bad");
  EXPECT_TRUE(in_kernel("a"));
  EXPECT_TRUE(in_kernel("c"));
  EXPECT_FALSE(in_kernel("bad"));
}

TEST_F(AnEngineWithBatches, NamesEveryFailureWhenNothingWorkedInAPartialBatch) {
  const Outcome<CreatedMaps> created = create_all(
      {request("x", "0 8 linear /dev/nothing 0\n"), request("bad name", linear_table())}, true);
  ASSERT_FALSE(created.ok());
  EXPECT_THAT(message_of(created.error()), HasSubstr("map #1 'x'"));
  EXPECT_THAT(message_of(created.error()), HasSubstr("map #2 'bad name'"));
  EXPECT_EQ(kind_of(created.error()), ErrorKind::Failed);
}

TEST_F(AnEngineWithBatches, RefusesANameGivenTwice) {
  const Outcome<CreatedMaps> created =
      create_all({request("a", linear_table()), request("a", linear_table(kLoop2))}, false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(kind_of(created.error()), ErrorKind::AlreadyExists);
  EXPECT_THAT(message_of(created.error()), HasSubstr("more than once"));
  EXPECT_EQ(engine_.catalog().find("a"), nullptr);
}

TEST_F(AnEngineWithBatches, RefusesAnEmptyBatch) {
  EXPECT_EQ(kind_of(create_all({}, false).error()), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of(remove_all({}).error()), ErrorKind::InvalidArgument);
}

TEST_F(AnEngineWithBatches, RemovesSnapshotsBeforeTheirOriginWhateverTheOrderAsked) {
  create("origin", linear_table());
  snapshot("origin", "snap");
  create("plain", linear_table(kLoop2, 8));
  observer_.events.clear();
  const Outcome<Done> removed = remove_all({"origin", "plain", "snap"});
  ASSERT_TRUE(removed.ok()) << message_of(removed.error());
  const std::vector<std::string> calls = kernel_calls();
  const auto snap_at = std::find(calls.begin(), calls.end(), "remove snap");
  const auto origin_at = std::find(calls.begin(), calls.end(), "remove origin");
  ASSERT_NE(snap_at, calls.end());
  ASSERT_NE(origin_at, calls.end());
  EXPECT_LT(snap_at, origin_at);
  EXPECT_FALSE(in_kernel("origin-real"));
  EXPECT_THAT(engine_.catalog().all(), IsEmpty());
  EXPECT_EQ(observer_.events.back(), "completed");
}

TEST_F(AnEngineWithBatches, RemovesAMapStackedOnAnotherFirst) {
  const DeviceNumber bottom = create("bottom", linear_table()).device;
  create("top", linear_table(bottom, 8));
  const Outcome<Done> removed = remove_all({"bottom", "top"});
  ASSERT_TRUE(removed.ok()) << message_of(removed.error());
  const std::vector<std::string> calls = kernel_calls();
  EXPECT_LT(std::find(calls.begin(), calls.end(), "remove top"),
            std::find(calls.begin(), calls.end(), "remove bottom"));
}

TEST_F(AnEngineWithBatches, RemovesNothingWhenOneMapCannotBeRemoved) {
  create("a", linear_table());
  create("origin", linear_table(kLoop2));
  snapshot("origin", "snap");
  const Outcome<Done> removed = remove_all({"a", "origin"});
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(kind_of(removed.error()), ErrorKind::Busy);
  EXPECT_THAT(message_of(removed.error()), HasSubstr("nothing was removed"));
  EXPECT_TRUE(in_kernel("a"));
  EXPECT_TRUE(in_kernel("origin"));

  const Outcome<Done> unknown = remove_all({"a", "nosuchmap"});
  EXPECT_EQ(kind_of(unknown.error()), ErrorKind::NotFound);
  EXPECT_TRUE(in_kernel("a"));
}

}  // namespace
}  // namespace mapperd::testing
