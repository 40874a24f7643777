// How kernel refusals become typed errors, from the errno and the kernel's own log lines.

#include "kernel/kernel_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

namespace mapperd {
namespace {

using ::testing::HasSubstr;
namespace errors = kernel_errors;

TEST(AnErrnoName, IsTheSymbolicName) {
  EXPECT_EQ(errors::errno_name(ENXIO), "ENXIO");
  EXPECT_EQ(errors::errno_name(EBUSY), "EBUSY");
}

TEST(AnErrnoName, IsTheNumberWhenTheSymbolIsUnknown) {
  EXPECT_EQ(errors::errno_name(9999), "errno 9999");
}

TEST(AKernelError, NamesOperationMapErrnoAndMeaning) {
  const Error busy = errors::map_busy("remove", "twoasone", 1);
  EXPECT_EQ(busy.kind(), ErrorKind::Busy);
  EXPECT_EQ(busy.error_number(), EBUSY);
  EXPECT_STREQ(busy.what(), "remove twoasone: EBUSY: device is in use (open count 1)");

  EXPECT_STREQ(errors::map_exists("create", "twoasone").what(),
               "create twoasone: EEXIST: a map with this name already exists");
  EXPECT_STREQ(errors::map_not_found("resume", "x").what(),
               "resume x: ENXIO: no map with this name");
}

TEST(AKernelError, KeepsKindAndErrnoWhenANoteIsAdded) {
  const Error noted = errors::with_note(errors::invalid_table("create", "x", "why"),
                                        "the half-made map was removed");
  EXPECT_EQ(noted.kind(), ErrorKind::InvalidTable);
  EXPECT_EQ(noted.error_number(), EINVAL);
  EXPECT_STREQ(
      noted.what(),
      "create x: EINVAL: the kernel refused the table: why; the half-made map was removed");
}

TEST(ARefusedLoad, IsDeviceMissingWhenTheKernelCouldNotFindADevice) {
  const Error error = errors::load_refused(
      "create", "x", ENXIO, {"device-mapper: table: 253:3: linear: Device lookup failed (-ENXIO)"},
      "", true);
  EXPECT_EQ(error.kind(), ErrorKind::DeviceMissing);
  EXPECT_THAT(error.what(), HasSubstr("linear: Device lookup failed"));
}

TEST(ARefusedLoad, IsDeviceMissingForALookupFailureWhateverTheErrno) {
  // A path the kernel cannot look up fails with ENODEV or ENOENT rather than ENXIO.
  for (int error_number : {ENODEV, ENOENT, EINVAL}) {
    EXPECT_EQ(errors::load_refused("load", "x", error_number,
                                   {"device-mapper: table: 253:3: linear: Device lookup failed"},
                                   "", true)
                  .kind(),
              ErrorKind::DeviceMissing)
        << error_number;
  }
}

TEST(ARefusedLoad, IsNotFoundWhenTheMapItselfIsGone) {
  EXPECT_EQ(errors::load_refused("load", "x", ENXIO, {}, "", false).kind(), ErrorKind::NotFound);
}

TEST(ARefusedLoad, IsInvalidTableWithTheKernelsReason) {
  const Error error = errors::load_refused(
      "create", "x", EINVAL,
      {"device-mapper: table: 253:0: loop0 too small for target: start=0, len=16392, "
       "dev_size=16384"},
      "device-mapper: reload ioctl on x (253:0) failed: Invalid argument", true);
  EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  EXPECT_STREQ(error.what(),
               "create x: EINVAL: the kernel refused the table: device-mapper: table: 253:0: "
               "loop0 too small for target: start=0, len=16392, dev_size=16384");
}

TEST(ARefusedLoad, FallsBackOnLibdevmappersWordsWhenTheKernelLogIsUnreadable) {
  const Error error = errors::load_refused(
      "load", "x", EINVAL, {}, "device-mapper: reload ioctl on x failed: Invalid argument", true);
  EXPECT_THAT(error.what(), HasSubstr("reload ioctl on x failed: Invalid argument"));
}

TEST(ARefusedLoad, IsAKernelErrorWithErrnoForAnythingElse) {
  const Error error = errors::load_refused("load", "x", ENOMEM, {}, "out of memory", true);
  EXPECT_EQ(error.kind(), ErrorKind::Kernel);
  EXPECT_EQ(error.error_number(), ENOMEM);
  EXPECT_THAT(error.what(), HasSubstr("load x: ENOMEM: "));
}

}  // namespace
}  // namespace mapperd
