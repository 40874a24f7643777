// A loop device's index as its name and the bus spell it (model/loop_index.h).

#include "model/loop_index.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

TEST(ALoopDeviceName, GivesItsIndex) {
  EXPECT_EQ(parse_loop_index("loop0"), 0u);
  EXPECT_EQ(parse_loop_index("loop12"), 12u);
  EXPECT_EQ(parse_loop_index("loop4294967295"), 4294967295u);
}

TEST(ALoopDeviceName, IsNothingElse) {
  for (const char* name : {"loop", "loop-control", "loop0p1", "loop01", "loop+1", "loop-1", "sda",
                           "dm-0", "Loop1", "loop4294967296", " loop1"}) {
    EXPECT_EQ(parse_loop_index(name), std::nullopt) << name;
  }
}

TEST(LoopIndexDigits, AreDecimalWithoutSignOrLeadingZero) {
  EXPECT_EQ(parse_loop_index_digits("0"), 0u);
  EXPECT_EQ(parse_loop_index_digits("7"), 7u);
  for (const char* digits : {"", "07", "+7", "-7", "7a", " 7", "4294967296"})
    EXPECT_EQ(parse_loop_index_digits(digits), std::nullopt) << '"' << digits << '"';
}

}  // namespace
}  // namespace mapperd
