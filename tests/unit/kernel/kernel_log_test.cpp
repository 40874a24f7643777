// Reading the kernel's reasons: records as /dev/kmsg hands them out, captured from Debian 12's
// 6.1 kernel.

#include "kernel/kernel_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;

TEST(AKmsgRecord, GivesTheLevelSequenceAndMessage) {
  const std::optional<KmsgRecord> record = parse_kmsg_record(
      "3,1187,80311562,-;device-mapper: table: 253:0: linear: Device lookup failed (-ENXIO)\n");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->level, 3);
  EXPECT_EQ(record->sequence, 1187u);
  EXPECT_EQ(record->message, "device-mapper: table: 253:0: linear: Device lookup failed (-ENXIO)");
}

TEST(AKmsgRecord, LeavesOutTheKeyValueLinesAfterTheMessage) {
  const std::optional<KmsgRecord> record = parse_kmsg_record(
      "6,40,1000,-;loop1: detected capacity change\n SUBSYSTEM=block\n DEVICE=b7:1\n");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->message, "loop1: detected capacity change");
}

TEST(AKmsgRecord, StripsTheFacilityFromTheLevel) {
  // Facility 1 (user), level 6: a line written to /dev/kmsg from user space.
  EXPECT_EQ(parse_kmsg_record("14,2,3,-;hello\n")->level, 6);
}

TEST(AKmsgRecord, ReadsPrefixesWithMoreOrFewerFields) {
  EXPECT_EQ(parse_kmsg_record("6,1,2;short\n")->message, "short");
  EXPECT_EQ(parse_kmsg_record("6,1,2,-,caller=T42;long\n")->message, "long");
}

TEST(AKmsgRecord, IsNothingWhenNotInKmsgForm) {
  EXPECT_EQ(parse_kmsg_record("device-mapper: no prefix"), std::nullopt);
  EXPECT_EQ(parse_kmsg_record("x,1,2,-;letters\n"), std::nullopt);
  EXPECT_EQ(parse_kmsg_record("6,1;too few\n"), std::nullopt);
  EXPECT_EQ(parse_kmsg_record(""), std::nullopt);
}

TEST(KernelMessagesAboutADevice, AreTheOnesThatNameIt) {
  const std::vector<std::string> messages = {
      "device-mapper: table: 253:1: linear: Device lookup failed (-ENXIO)",
      "device-mapper: table: 253:0: striped: Target length not divisible by chunk size",
      "device-mapper: ioctl: error adding target to table"};
  EXPECT_THAT(about_device(messages, {253, 0}),
              ElementsAre("device-mapper: table: 253:0: striped: Target length not divisible by "
                          "chunk size"));
}

TEST(KernelMessagesAboutADevice, AreAllOfThemWhenNoneNamesIt) {
  const std::vector<std::string> messages = {"device-mapper: ioctl: no targets specified"};
  EXPECT_EQ(about_device(messages, {253, 0}), messages);
}

TEST(AKernelLogCursorOnALogThatCannotBeRead, ReadsNothing) {
  KernelLogCursor cursor("/nonexistent/kmsg");
  EXPECT_FALSE(cursor.readable());
  EXPECT_TRUE(cursor.device_mapper_messages().empty());
}

}  // namespace
}  // namespace mapperd
