#include "extent.h"

#include <gtest/gtest.h>

#include "exit_status.h"
#include "status_of.h"

namespace mapperctl {
namespace {

using mapperd::Sectors;

TEST(AnAmount, IsSectorsWhenPlainOrSuffixedWithS) {
  EXPECT_EQ(Amount::parse("2048"), Amount::sectors(2048));
  EXPECT_EQ(Amount::parse("2048s"), Amount::sectors(2048));
}

TEST(AnAmount, ConvertsBinarySizesToSectors) {
  EXPECT_EQ(Amount::parse("4K"), Amount::sectors(8));
  EXPECT_EQ(Amount::parse("1M"), Amount::sectors(2048));
  EXPECT_EQ(Amount::parse("1MiB"), Amount::sectors(2048));
  EXPECT_EQ(Amount::parse("2G"), Amount::sectors(4194304));
}

TEST(AByteCount, IsBytesWhenPlainAndBinaryUnitsWithASuffix) {
  EXPECT_EQ(parse_byte_count("0", "--offset"), 0u);
  EXPECT_EQ(parse_byte_count("1000", "--offset"), 1000u);
  EXPECT_EQ(parse_byte_count("4K", "--offset"), 4096u);
  EXPECT_EQ(parse_byte_count("1MiB", "--offset"), 1048576u);
  EXPECT_EQ(parse_byte_count("2T", "--size"), 2ull << 40);
}

TEST(AByteCount, RefusesAnythingElseNamingTheOption) {
  for (const char* text : {"", "-1", "1.5M", "1x", "K", "1 K", "20000000T"}) {
    try {
      parse_byte_count(text, "--size");
      ADD_FAILURE() << text;
    } catch (const CommandError& error) {
      EXPECT_EQ(error.status(), ExitStatus::Usage) << text;
      EXPECT_EQ(std::string(error.what()).rfind("--size '", 0), 0u) << error.what();
    }
  }
}

TEST(AnAmount, RefusesSizesThatAreNotWholeSectors) {
  EXPECT_EQ(status_of([] { Amount::parse("1K1"); }), ExitStatus::Usage);
  EXPECT_FALSE(Amount::try_parse("3x"));
  EXPECT_FALSE(Amount::try_parse(""));
  EXPECT_FALSE(Amount::try_parse("-1"));
}

TEST(AFraction, RoundsDownAsTheShellDoes) {
  // The tutorial: $((SIZE1/2)) and $((SIZE1-SIZE1/2)) for an odd SIZE1.
  EXPECT_EQ(Amount::parse("1/2").resolve(Sectors(4097)), Sectors(2048));
  EXPECT_EQ(Amount::parse("1/3").resolve(Sectors(10)), Sectors(3));
  EXPECT_EQ(Amount::parse("2/2").resolve(Sectors(10)), Sectors(10));
}

TEST(AFraction, DoesNotOverflowOnTheLargestDevices) {
  EXPECT_EQ(Amount::parse("999999/1000000").resolve(Sectors(UINT64_MAX)),
            Sectors(18446725626965477905u));
}

TEST(AFraction, MustNotExceedTheWholeOrDivideByZero) {
  EXPECT_FALSE(Amount::try_parse("3/2"));
  EXPECT_FALSE(Amount::try_parse("1/0"));
  EXPECT_FALSE(Amount::try_parse("1/2000000"));
}

TEST(ARange, IsAWholeDeviceWithoutMarks) {
  const ExtentSpec spec = ExtentSpec::parse("/dev/loop1");
  EXPECT_EQ(spec.device, "/dev/loop1");
  EXPECT_FALSE(spec.start);
  EXPECT_FALSE(spec.length);
  EXPECT_EQ(resolve_extent(spec, Sectors(4096)), (Extent{"/dev/loop1", Sectors(0), Sectors(4096)}));
}

TEST(ARange, ReadsAStartAndALength) {
  const ExtentSpec spec = ExtentSpec::parse("/dev/loop1@8+1K");
  EXPECT_EQ(spec.device, "/dev/loop1");
  EXPECT_EQ(spec.start, Amount::sectors(8));
  EXPECT_EQ(spec.length, Amount::sectors(2));
}

TEST(ARange, FromAFractionRunsToTheEnd) {
  // The tutorial's oneahalf starts with the second half of loop1.
  EXPECT_EQ(resolve_extent(ExtentSpec::parse("/dev/loop1@1/2"), Sectors(4097)),
            (Extent{"/dev/loop1", Sectors(2048), Sectors(2049)}));
}

TEST(ARange, WithAFractionalLengthIsTheFirstPart) {
  // The tutorial's halfdisk.
  EXPECT_EQ(resolve_extent(ExtentSpec::parse("/dev/loop1+1/2"), Sectors(4097)),
            (Extent{"/dev/loop1", Sectors(0), Sectors(2048)}));
}

TEST(ARange, KeepsMarksThatAreNotAmountsInTheDeviceName) {
  EXPECT_EQ(ExtentSpec::parse("/dev/mapper/a+b").device, "/dev/mapper/a+b");
  EXPECT_EQ(ExtentSpec::parse("/dev/mapper/me@home").device, "/dev/mapper/me@home");
}

TEST(ARange, AcceptsADeviceNumber) {
  const ExtentSpec spec = ExtentSpec::parse("7:1@0+8");
  EXPECT_EQ(spec.device, "7:1");
  EXPECT_EQ(resolve_extent(spec, std::nullopt), (Extent{"7:1", Sectors(0), Sectors(8)}));
}

TEST(ARange, NeedsTheDeviceSizeOnlyForFractionsAndOpenEnds) {
  EXPECT_TRUE(ExtentSpec::parse("/dev/loop1").needs_device_size());
  EXPECT_TRUE(ExtentSpec::parse("/dev/loop1@8").needs_device_size());
  EXPECT_TRUE(ExtentSpec::parse("/dev/loop1+1/2").needs_device_size());
  EXPECT_FALSE(ExtentSpec::parse("/dev/loop1@8+8").needs_device_size());
  EXPECT_EQ(status_of([] { resolve_extent(ExtentSpec::parse("/dev/loop1"), std::nullopt); }),
            ExitStatus::Usage);
}

TEST(ARange, MustStayInsideTheDevice) {
  EXPECT_EQ(
      status_of([] { resolve_extent(ExtentSpec::parse("/dev/loop1@8+4096"), Sectors(4096)); }),
      ExitStatus::Usage);
  EXPECT_EQ(status_of([] { resolve_extent(ExtentSpec::parse("/dev/loop1@4096"), Sectors(4096)); }),
            ExitStatus::Usage);
}

TEST(ARange, MustNotBeEmpty) {
  EXPECT_EQ(status_of([] { resolve_extent(ExtentSpec::parse("/dev/loop1+0"), Sectors(4096)); }),
            ExitStatus::Usage);
  EXPECT_EQ(status_of([] { resolve_extent(ExtentSpec::parse("/dev/loop0"), Sectors(0)); }),
            ExitStatus::Usage);
}

}  // namespace
}  // namespace mapperctl
