#include "model/error.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace mapperd {
namespace {

TEST(AnErrorKind, IsNamedByTheSuffixOfItsDBusError) {
  EXPECT_EQ(error_kind_name(ErrorKind::InvalidTable), "InvalidTable");
  EXPECT_EQ(error_kind_name(ErrorKind::InvalidName), "InvalidName");
  EXPECT_EQ(error_kind_name(ErrorKind::InvalidArgument), "InvalidArgument");
  EXPECT_EQ(error_kind_name(ErrorKind::NotFound), "NotFound");
  EXPECT_EQ(error_kind_name(ErrorKind::AlreadyExists), "AlreadyExists");
  EXPECT_EQ(error_kind_name(ErrorKind::Busy), "Busy");
  EXPECT_EQ(error_kind_name(ErrorKind::DeviceMissing), "DeviceMissing");
  EXPECT_EQ(error_kind_name(ErrorKind::NotOwned), "NotOwned");
  EXPECT_EQ(error_kind_name(ErrorKind::Kernel), "Kernel");
  EXPECT_EQ(error_kind_name(ErrorKind::Store), "Store");
  EXPECT_EQ(error_kind_name(ErrorKind::TimedOut), "TimedOut");
  EXPECT_EQ(error_kind_name(ErrorKind::Failed), "Failed");
}

TEST(AnError, CarriesItsKindMessageAndErrno) {
  const Error error(ErrorKind::Busy, "remove twoasone: EBUSY: device is in use", EBUSY);
  EXPECT_EQ(error.kind(), ErrorKind::Busy);
  EXPECT_STREQ(error.what(), "remove twoasone: EBUSY: device is in use");
  EXPECT_EQ(error.error_number(), EBUSY);
}

TEST(AnError, HasNoErrnoUnlessGivenOne) {
  EXPECT_EQ(Error(ErrorKind::InvalidTable, "bad").error_number(), 0);
}

}  // namespace
}  // namespace mapperd
