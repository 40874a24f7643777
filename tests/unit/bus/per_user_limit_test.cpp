// The bound on one user's calls in flight: a slot per call while it waits, free again when its
// ticket goes, each user counted on their own, root never bounded.

#include "bus/per_user_limit.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

namespace mapperd::bus {
namespace {

TEST(APerUserLimit, RefusesAUserPastTheBoundUntilOneOfTheirCallsEnds) {
  PerUserLimit limit(2);
  std::optional<PerUserLimit::Ticket> first = limit.take(1000);
  std::optional<PerUserLimit::Ticket> second = limit.take(1000);
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(limit.take(1000));
  EXPECT_EQ(limit.in_flight(1000), 2u);
  first.reset();
  EXPECT_EQ(limit.in_flight(1000), 1u);
  EXPECT_TRUE(limit.take(1000));
}

TEST(APerUserLimit, CountsEachUserOnTheirOwn) {
  PerUserLimit limit(1);
  const auto busy = limit.take(1000);
  ASSERT_TRUE(busy);
  EXPECT_FALSE(limit.take(1000));
  EXPECT_TRUE(limit.take(1001));
  // A caller whose uid the bus could not tell is bounded too, as anyone else.
  const auto unknown = limit.take(static_cast<std::uint32_t>(-1));
  EXPECT_TRUE(unknown);
  EXPECT_FALSE(limit.take(static_cast<std::uint32_t>(-1)));
}

TEST(APerUserLimit, NeverBoundsRoot) {
  PerUserLimit limit(1);
  std::vector<PerUserLimit::Ticket> held;
  for (int i = 0; i < 100; ++i) {
    auto ticket = limit.take(0);
    ASSERT_TRUE(ticket);
    held.push_back(std::move(*ticket));
  }
  EXPECT_EQ(limit.in_flight(0), 100u);
  held.clear();
  EXPECT_EQ(limit.in_flight(0), 0u);
}

TEST(APerUserLimit, FreesTheSlotOnceWhenATicketIsMoved) {
  PerUserLimit limit(1);
  auto ticket = limit.take(1000);
  ASSERT_TRUE(ticket);
  auto moved = std::make_shared<PerUserLimit::Ticket>(std::move(*ticket));
  ticket.reset();
  EXPECT_EQ(limit.in_flight(1000), 1u);
  moved.reset();
  EXPECT_EQ(limit.in_flight(1000), 0u);
  EXPECT_TRUE(limit.take(1000));
}

TEST(APerUserLimit, OutlivedByATicketIsSafe) {
  std::optional<PerUserLimit::Ticket> ticket;
  {
    PerUserLimit limit(1);
    ticket = limit.take(1000);
  }
  ticket.reset();
}

}  // namespace
}  // namespace mapperd::bus
