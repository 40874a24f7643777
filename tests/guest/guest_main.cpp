// The guest suite's main: one backend and its disks for all tests (GuestEnvironment).

#include <gtest/gtest.h>

#include "guest_world.h"

int main(int argc, char** argv) {
  mapperd::guest::g_self = argv[0];
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new mapperd::guest::GuestEnvironment());
  return RUN_ALL_TESTS();
}
