// A map must never sit on itself: a reload onto its own device or onto a map above it, and a
// snapshot whose COW is its origin or a map above it, are refused before the kernel is asked
// (the kernel takes such a table, then recurses through it until its stack overflows; found in
// the guest by the authorization suite's bad-input walk).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::HasSubstr;

constexpr DeviceNumber kDisk{8, 16};
constexpr DeviceNumber kCow{8, 32};

class AStack : public PersistenceFixture {
 protected:
  void SetUp() override {
    plug_disk(kDisk, "DISK");
    plug_disk(kCow, "COW", Sectors(2048));
    start();
    // lower on the disk, upper on lower, as /dev/mapper paths the block devices know.
    lower_ = create({.name = "lower", .table = "0 4096 linear 8:16 0\n"});
    block_devices_.add(lower_.device, Sectors(4096), "/dev/mapper/lower");
    // Not stored: the fake device directory knows disks, not maps.
    upper_ = create(
        {.name = "upper", .table = "0 4096 linear /dev/mapper/lower 0\n", .persistent = false});
    block_devices_.add(upper_.device, Sectors(4096), "/dev/mapper/upper");
  }
  // The error a reload of `name` to `table` ends with.
  Error reload_error(const std::string& name, const std::string& table) {
    std::optional<Outcome<Done>> reloaded;
    engine().reload_map(name, table, into(reloaded));
    return error_of(wait_for(reloaded));
  }
  Error snapshot_error(const std::string& origin, const std::string& cow) {
    std::optional<Outcome<MapRecord>> made;
    engine().create_snapshot({.origin = origin, .name = "snap", .cow_device = cow}, into(made));
    return error_of(wait_for(made));
  }
  std::size_t kernel_calls_count() {
    std::size_t count = 0;
    on_kernel([&count](FakeKernelBackend& fake) { count = fake.calls().size(); });
    return count;
  }
  template <class T>
  static Error error_of(const Outcome<T>& outcome) {
    try {
      outcome.value_or_throw();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "the operation succeeded";
    return Error(ErrorKind::Failed, "");
  }

  MapRecord lower_;
  MapRecord upper_;
};

TEST_F(AStack, RefusesToReloadAMapOntoItself) {
  const std::size_t calls = kernel_calls_count();
  const Error error = reload_error("lower", "0 4096 linear /dev/mapper/lower 0\n");
  EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  EXPECT_THAT(error.what(), HasSubstr("/dev/mapper/lower is lower itself"));
  EXPECT_EQ(kernel_calls_count(), calls) << "the kernel was not asked";
  EXPECT_EQ(kernel_table("lower"), "0 4096 linear 8:16 0\n");
}

TEST_F(AStack, RefusesToReloadAMapOntoAMapAboveIt) {
  const Error error = reload_error("lower", "0 4096 linear /dev/mapper/upper 0\n");
  EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  EXPECT_THAT(error.what(), HasSubstr("/dev/mapper/upper is 'upper', which sits on lower"));
  EXPECT_EQ(kernel_table("lower"), "0 4096 linear 8:16 0\n");
}

TEST_F(AStack, StillReloadsAMapOntoAMapBelowIt) {
  std::optional<Outcome<Done>> reloaded;
  engine().reload_map("upper", "0 2048 linear /dev/mapper/lower 2048\n", into(reloaded));
  wait_for(reloaded).value_or_throw();
  EXPECT_EQ(kernel_table("upper"), "0 2048 linear " + lower_.device.to_string() + " 2048\n");
}

TEST_F(AStack, RefusesASnapshotWhoseCowIsItsOriginOrAMapAboveIt) {
  const std::size_t calls = kernel_calls_count();
  Error error = snapshot_error("lower", "/dev/mapper/lower");
  EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("is lower itself"));
  error = snapshot_error("lower", "/dev/mapper/upper");
  EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("'upper', which sits on lower"));
  EXPECT_EQ(kernel_calls_count(), calls) << "nothing was zeroed or made";
}

}  // namespace
}  // namespace mapperd::testing
