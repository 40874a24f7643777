#include "exit_status.h"

#include <gtest/gtest.h>

namespace mapperctl {
namespace {

struct Mapping {
  const char* error_name;
  ExitStatus status;
};

class AnErrorName : public ::testing::TestWithParam<Mapping> {};

TEST_P(AnErrorName, MapsToItsDocumentedExitStatus) {
  EXPECT_EQ(exit_status_for_dbus_error(GetParam().error_name), GetParam().status)
      << GetParam().error_name;
}

INSTANTIATE_TEST_SUITE_P(
    MapperdErrors, AnErrorName,
    ::testing::Values(Mapping{"org.mapperd.Mapper1.Error.InvalidTable", ExitStatus::Invalid},
                      Mapping{"org.mapperd.Mapper1.Error.InvalidName", ExitStatus::Invalid},
                      Mapping{"org.mapperd.Mapper1.Error.InvalidArgument", ExitStatus::Invalid},
                      Mapping{"org.mapperd.Mapper1.Error.NotFound", ExitStatus::NotFound},
                      Mapping{"org.mapperd.Mapper1.Error.AlreadyExists", ExitStatus::AlreadyExists},
                      Mapping{"org.mapperd.Mapper1.Error.Busy", ExitStatus::Busy},
                      Mapping{"org.mapperd.Mapper1.Error.DeviceMissing", ExitStatus::DeviceMissing},
                      Mapping{"org.mapperd.Mapper1.Error.NotOwned", ExitStatus::NotOwned},
                      Mapping{"org.mapperd.Mapper1.Error.Kernel", ExitStatus::Failed},
                      Mapping{"org.mapperd.Mapper1.Error.Store", ExitStatus::Failed},
                      Mapping{"org.mapperd.Mapper1.Error.TimedOut", ExitStatus::TimedOut},
                      Mapping{"org.mapperd.Mapper1.Error.Failed", ExitStatus::Failed}));

INSTANTIATE_TEST_SUITE_P(
    BusErrors, AnErrorName,
    ::testing::Values(Mapping{"org.freedesktop.DBus.Error.AccessDenied", ExitStatus::AccessDenied},
                      Mapping{"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
                              ExitStatus::AccessDenied},
                      Mapping{"org.freedesktop.DBus.Error.ServiceUnknown", ExitStatus::Unreachable},
                      Mapping{"org.freedesktop.DBus.Error.NameHasNoOwner", ExitStatus::Unreachable},
                      Mapping{"org.freedesktop.DBus.Error.NoReply", ExitStatus::TimedOut},
                      Mapping{"org.freedesktop.DBus.Error.UnknownObject", ExitStatus::NotFound}));

INSTANTIATE_TEST_SUITE_P(
    UnknownErrors, AnErrorName,
    ::testing::Values(Mapping{"org.mapperd.Mapper1.Error.SomethingNew", ExitStatus::Failed},
                      Mapping{"org.freedesktop.DBus.Error.NoMemory", ExitStatus::Failed},
                      Mapping{"com.example.Weird", ExitStatus::Failed},
                      Mapping{"", ExitStatus::Failed}));

TEST(TheExitStatuses, KeepTheNumbersTheManPageDocuments) {
  EXPECT_EQ(to_int(ExitStatus::Ok), 0);
  EXPECT_EQ(to_int(ExitStatus::Failed), 1);
  EXPECT_EQ(to_int(ExitStatus::Usage), 2);
  EXPECT_EQ(to_int(ExitStatus::NotFound), 3);
  EXPECT_EQ(to_int(ExitStatus::AccessDenied), 4);
  EXPECT_EQ(to_int(ExitStatus::Unreachable), 5);
  EXPECT_EQ(to_int(ExitStatus::Invalid), 6);
  EXPECT_EQ(to_int(ExitStatus::AlreadyExists), 7);
  EXPECT_EQ(to_int(ExitStatus::Busy), 8);
  EXPECT_EQ(to_int(ExitStatus::DeviceMissing), 9);
  EXPECT_EQ(to_int(ExitStatus::NotOwned), 10);
  EXPECT_EQ(to_int(ExitStatus::TimedOut), 11);
}

}  // namespace
}  // namespace mapperctl
