#include "model/device_ref.h"

#include <gtest/gtest.h>

#include <string>

namespace mapperd {
namespace {

TEST(ADeviceNumber, IsReadFromMajorColonMinor) {
  EXPECT_EQ(DeviceNumber::parse("7:1"), (DeviceNumber{7, 1}));
}

TEST(ADeviceNumber, PrintsAsMajorColonMinor) {
  EXPECT_EQ((DeviceNumber{253, 12}).to_string(), "253:12");
}

TEST(ADeviceNumber, MayUseTheLargestMajorAndMinorTheKernelHas) {
  EXPECT_EQ(DeviceNumber::parse("4095:1048575"), (DeviceNumber{4095, 1048575}));
}

TEST(ADeviceNumber, MayNotHaveAMajorPast12Bits) {
  EXPECT_EQ(DeviceNumber::parse("4096:0"), std::nullopt);
}

TEST(ADeviceNumber, MayNotHaveAMinorPast20Bits) {
  EXPECT_EQ(DeviceNumber::parse("7:1048576"), std::nullopt);
}

TEST(ADeviceNumber, MayNotOverflow32Bits) {
  EXPECT_EQ(DeviceNumber::parse("4294967303:1"), std::nullopt);
}

TEST(ADeviceNumber, MayNotHaveASign) {
  EXPECT_EQ(DeviceNumber::parse("+7:1"), std::nullopt);
  EXPECT_EQ(DeviceNumber::parse("7:-1"), std::nullopt);
}

TEST(ADeviceNumber, MayNotHaveAnEmptyPart) {
  EXPECT_EQ(DeviceNumber::parse(":1"), std::nullopt);
  EXPECT_EQ(DeviceNumber::parse("7:"), std::nullopt);
  EXPECT_EQ(DeviceNumber::parse(":"), std::nullopt);
}

TEST(ADeviceNumber, HasExactlyOneColon) {
  EXPECT_EQ(DeviceNumber::parse("71"), std::nullopt);
  EXPECT_EQ(DeviceNumber::parse("7:1:2"), std::nullopt);
}

// What DeviceRef::parse says about `text`, or "accepted".
std::string why_refused(std::string_view text) {
  std::string why;
  if (DeviceRef::parse(text, &why))
    return "accepted";
  return why;
}

TEST(ADeviceRef, MayBeADeviceNumber) {
  const std::optional<DeviceRef> ref = DeviceRef::parse("7:1");
  ASSERT_TRUE(ref);
  EXPECT_TRUE(ref->is_number());
  EXPECT_EQ(ref->number(), (DeviceNumber{7, 1}));
  EXPECT_EQ(ref->text(), "7:1");
}

TEST(ADeviceRef, WritesANumberAsTheKernelDoes) {
  EXPECT_EQ(DeviceRef::parse("007:01")->text(), "7:1");
}

TEST(ADeviceRef, MayBeAPathUnderDevKeptAsWritten) {
  const std::optional<DeviceRef> ref = DeviceRef::parse("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4");
  ASSERT_TRUE(ref);
  EXPECT_FALSE(ref->is_number());
  EXPECT_EQ(ref->text(), "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4");
}

TEST(ADeviceRef, IsMadeFromADeviceNumber) {
  EXPECT_EQ(DeviceRef::of(DeviceNumber{8, 16}), *DeviceRef::parse("8:16"));
}

TEST(ADeviceRef, ComparesByValue) {
  EXPECT_EQ(*DeviceRef::parse("/dev/loop1"), *DeviceRef::parse("/dev/loop1"));
  EXPECT_NE(*DeviceRef::parse("/dev/loop1"), *DeviceRef::parse("7:1"));
}

TEST(ADeviceRef, MayNotBeEmpty) {
  EXPECT_EQ(why_refused(""), "device is empty");
}

TEST(ADeviceRef, MayNotBeARelativeName) {
  EXPECT_EQ(why_refused("loop1"),
            "'loop1' is neither MAJOR:MINOR nor an absolute path under /dev/");
}

TEST(ADeviceRef, MayNotBeAPathOutsideDev) {
  EXPECT_EQ(why_refused("/tmp/disk.img"), "path '/tmp/disk.img' is not under /dev/");
  EXPECT_EQ(why_refused("/dev"), "path '/dev' is not under /dev/");
  EXPECT_EQ(why_refused("/devices/loop1"), "path '/devices/loop1' is not under /dev/");
}

TEST(ADeviceRef, MustNameSomethingUnderDev) {
  EXPECT_EQ(why_refused("/dev/"), "path '/dev/' names no device");
}

TEST(ADeviceRef, MayNotHoldASpaceThatWouldSplitItIntoTwoArguments) {
  EXPECT_EQ(why_refused("/dev/loop1 0"),
            "path '/dev/loop1 0': character ' ' at byte 11 is not allowed (only printable "
            "ASCII without spaces or backslashes)");
}

TEST(ADeviceRef, MayNotHoldATab) {
  EXPECT_EQ(why_refused("/dev/a\tb"),
            "path '/dev/a\\x09b': character \\x09 at byte 7 is not allowed (only printable "
            "ASCII without spaces or backslashes)");
}

TEST(ADeviceRef, MayNotHoldABackslashTheKernelWouldReadAsAnEscape) {
  EXPECT_EQ(why_refused("/dev/a\\ b"),
            "path '/dev/a\\x5c b': character \\x5c at byte 7 is not allowed (only printable "
            "ASCII without spaces or backslashes)");
}

TEST(ADeviceRef, MayNotHoldAControlCharacter) {
  EXPECT_EQ(why_refused(std::string("/dev/a\x01", 7)),
            "path '/dev/a\\x01': character \\x01 at byte 7 is not allowed (only printable "
            "ASCII without spaces or backslashes)");
}

// The kernel's ctype table counts 0xA0 as a space, and "\xc3\xa0" is UTF-8 for a letter.
TEST(ADeviceRef, MayNotHoldAByteTheKernelReadsAsASpace) {
  EXPECT_EQ(why_refused("/dev/disk/by-label/\xc3\xa0"),
            "path '/dev/disk/by-label/\\xc3\\xa0': character \\xc3 at byte 20 is not allowed "
            "(only printable ASCII without spaces or backslashes)");
}

TEST(ADeviceRef, MayNotClimbOutOfDevWithDotDot) {
  EXPECT_EQ(why_refused("/dev/../etc/passwd"), "path '/dev/../etc/passwd' has a '..' component");
  EXPECT_EQ(why_refused("/dev/mapper/.."), "path '/dev/mapper/..' has a '..' component");
}

TEST(ADeviceRef, MayHoldDotsThatAreNotAComponent) {
  EXPECT_EQ(why_refused("/dev/disk/by-label/a..b"), "accepted");
}

TEST(ADeviceRef, MayBeAPathOf4095Bytes) {
  EXPECT_EQ(why_refused("/dev/" + std::string(4090, 'a')), "accepted");
}

TEST(ADeviceRef, MayNotBeAPathOf4096Bytes) {
  EXPECT_EQ(why_refused("/dev/" + std::string(4091, 'a')),
            "path is 4096 bytes long; the limit is 4095");
}

TEST(ADeviceRef, SaysWhichPartOfANumberIsOutOfRange) {
  EXPECT_EQ(why_refused("4096:0"), "'4096:0': major 4096 is out of range (0..4095)");
  EXPECT_EQ(why_refused("7:1048576"), "'7:1048576': minor 1048576 is out of range (0..1048575)");
}

TEST(ADeviceRef, SaysWhenANumberHasASign) {
  EXPECT_EQ(why_refused("+7:1"), "'+7:1': major '+7' is not a decimal number");
}

TEST(ADeviceRef, SaysWhenANumberHasAnEmptyPart) {
  EXPECT_EQ(why_refused("7:"), "'7:': minor is empty");
}

TEST(ADeviceRef, SaysWhenANumberHasTwoColons) {
  EXPECT_EQ(why_refused("7:1:2"), "'7:1:2': more than one ':'");
}

TEST(ADeviceRef, CanBeRefusedWithoutAskingWhy) {
  EXPECT_EQ(DeviceRef::parse("loop1", nullptr), std::nullopt);
}

}  // namespace
}  // namespace mapperd
