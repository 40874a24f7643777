// What only the fake does: the hooks higher layers' tests use to drive it.

#include "fakes/fake_kernel_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AFakeKernelBackend : public ::testing::Test {
 protected:
  AFakeKernelBackend() {
    fake_.add_block_device(kDisk, Sectors(8192), "/dev/loop1");
    fake_.add_block_device(kOtherDisk, Sectors(8192), "/dev/loop2");
  }

  static std::vector<TargetLine> linear(DeviceNumber device, std::uint64_t length) {
    return {{Sectors(0), Sectors(length), "linear", device.to_string() + " 0"}};
  }

  MapInfo create(const std::string& name) {
    return fake_.create({name, "MAPPERD-" + name, linear(kDisk, 4096), false});
  }

  static constexpr DeviceNumber kDisk{7, 1};
  static constexpr DeviceNumber kOtherDisk{7, 2};
  FakeKernelBackend fake_;
};

TEST_F(AFakeKernelBackend, GivesMapsDeviceNumbersOnTheDeviceMapperMajor) {
  const MapInfo first = create("a");
  const MapInfo second = create("b");
  EXPECT_EQ(first.device.major, FakeKernelBackend::kMapMajor);
  EXPECT_NE(first.device, second.device);
}

TEST_F(AFakeKernelBackend, ShowsItsMapsAsBlockDevicesOfTheirTablesSize) {
  const MapInfo made = create("a");
  const std::optional<DeviceRef> by_path = DeviceRef::parse("/dev/mapper/a");
  ASSERT_TRUE(by_path);
  EXPECT_EQ(fake_.block_devices().resolve(*by_path), made.device);
  EXPECT_EQ(fake_.block_devices().size_of(made.device), Sectors(4096));
}

TEST_F(AFakeKernelBackend, RecordsEveryChangeInOrder) {
  create("a");
  fake_.reload("a", linear(kOtherDisk, 1024));
  fake_.remove("a");
  EXPECT_THAT(fake_.calls(), ElementsAre("create a", "load a", "resume a", "load a", "suspend a",
                                         "resume a", "remove a"));
}

TEST_F(AFakeKernelBackend, FailsTheStepItWasToldToFail) {
  create("a");
  fake_.fail_next("suspend", Error(ErrorKind::Kernel, "suspend a: EIO: injected", 5));
  EXPECT_THROW(fake_.suspend("a"), Error);
  EXPECT_FALSE(fake_.info("a")->suspended);
  fake_.suspend("a");  // only the next call fails
  EXPECT_TRUE(fake_.info("a")->suspended);
}

TEST_F(AFakeKernelBackend, ResumesTheOldTableWhenAReloadsResumeFails) {
  create("a");
  fake_.fail_next("resume", Error(ErrorKind::Kernel, "resume a: EIO: injected", 5));
  try {
    fake_.reload("a", linear(kOtherDisk, 1024));
    FAIL() << "the reload should have failed";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("the old table was resumed"));
  }
  EXPECT_EQ(fake_.table("a"), linear(kDisk, 4096));
  EXPECT_FALSE(fake_.info("a")->suspended);
  EXPECT_FALSE(fake_.info("a")->inactive_table);
}

TEST_F(AFakeKernelBackend, RemovesAHalfMadeMapWhenCreatesResumeFails) {
  fake_.fail_next("resume", Error(ErrorKind::Kernel, "resume a: EIO: injected", 5));
  try {
    create("a");
    FAIL() << "the create should have failed";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("the half-made map was removed again"));
  }
  EXPECT_EQ(fake_.info("a"), std::nullopt);
}

TEST_F(AFakeKernelBackend, CountsTheMapsStackedOnAMapAsItsOpeners) {
  const MapInfo lower = create("lower");
  fake_.create({"upper", "MAPPERD-upper", linear(lower.device, 1024), false});
  EXPECT_EQ(fake_.info("lower")->open_count, 1);
}

TEST_F(AFakeKernelBackend, WakesAnEventWaiterOnceATargetEventWasRaised) {
  const MapInfo made = create("a");
  EXPECT_THROW(fake_.wait_event("a", made.event_number), Error);
  fake_.raise_event("a");
  EXPECT_EQ(fake_.wait_event("a", made.event_number), made.event_number + 1);
}

TEST_F(AFakeKernelBackend, RefusesTablesForDevicesThatWereUnplugged) {
  fake_.remove_block_device(kOtherDisk);
  try {
    fake_.create({"a", "MAPPERD-a", linear(kOtherDisk, 1024), false});
    FAIL() << "the create should have failed";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DeviceMissing);
  }
}

TEST_F(AFakeKernelBackend, RefusesTargetsTheKernelDoesNotList) {
  try {
    fake_.create({"a", "MAPPERD-a", {{Sectors(0), Sectors(8), "thin", "253:0 1"}}, false});
    FAIL() << "the create should have failed";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  }
  EXPECT_EQ(fake_.info("a"), std::nullopt);
}

}  // namespace
}  // namespace mapperd
