// Each target's arguments, checked one rule at a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

DeviceRef device(std::string_view text) {
  return *DeviceRef::parse(text);
}

Target only_target(std::string_view text, const TableContext& context = {}) {
  return parse_table(text, context).segments.at(0).target;
}

// linear

TEST(ALinearTarget, TakesADeviceAndAnOffset) {
  EXPECT_EQ(only_target("0 8 linear 7:1 2048\n"),
            Target(LinearTarget{device("7:1"), Sectors(2048)}));
}

TEST(ALinearTarget, RefusesOneArgument) {
  EXPECT_THAT(problems_in("0 8 linear /dev/loop1\n"),
              ElementsAre("line 1: arguments: linear takes 2 arguments (device offset), got 1 "
                          "argument"));
}

TEST(ALinearTarget, RefusesThreeArguments) {
  EXPECT_THAT(problems_in("0 8 linear /dev/loop1 0 0\n"),
              ElementsAre("line 1: arguments: linear takes 2 arguments (device offset), got 3 "
                          "arguments"));
}

TEST(ALinearTarget, RefusesADeviceThatIsNeitherANumberNorADevPath) {
  EXPECT_THAT(problems_in("0 8 linear /tmp/disk.img 0\n"),
              ElementsAre("line 1: device: path '/tmp/disk.img' is not under /dev/"));
}

TEST(ALinearTarget, RefusesAnOffsetThatIsNotANumber) {
  EXPECT_THAT(problems_in("0 8 linear 7:1 -1\n"),
              ElementsAre("line 1: offset: '-1' is not a plain decimal number"));
}

TEST(ALinearTarget, AcceptsTheLastOffsetWhoseEndFitsIn64Bits) {
  EXPECT_THAT(problems_in("0 8 linear 7:1 18446744073709551607\n"), IsEmpty());
}

TEST(ALinearTarget, RefusesAnOffsetWhoseEndDoesNotFitIn64Bits) {
  EXPECT_THAT(problems_in("0 8 linear 7:1 18446744073709551608\n"),
              ElementsAre("line 1: offset: offset 18446744073709551608 + length 8 does not fit "
                          "in 64 bits"));
}

// striped

TEST(AStripedTarget, TakesStripeCountChunkSizeAndADeviceAndOffsetPerStripe) {
  EXPECT_EQ(only_target("0 128 striped 2 8 7:1 0 /dev/loop2 64\n"),
            Target(StripedTarget{
                Sectors(8),
                {Stripe{device("7:1"), Sectors(0)}, Stripe{device("/dev/loop2"), Sectors(64)}}}));
}

TEST(AStripedTarget, MayHaveASingleStripe) {
  EXPECT_THAT(problems_in("0 8 striped 1 8 7:1 0\n"), IsEmpty());
}

TEST(AStripedTarget, RefusesZeroStripes) {
  EXPECT_THAT(problems_in("0 8 striped 0 8\n"),
              ElementsAre("line 1: stripe count: a striped target needs at least 1 stripe"));
}

TEST(AStripedTarget, RefusesAStripeCountThatIsNotANumber) {
  EXPECT_THAT(problems_in("0 8 striped two 8 7:1 0 7:2 0\n"),
              ElementsAre("line 1: stripe count: 'two' is not a plain decimal number"));
}

TEST(AStripedTarget, RefusesAChunkSizeOfZero) {
  EXPECT_THAT(problems_in("0 8 striped 1 0 7:1 0\n"),
              ElementsAre("line 1: chunk size: chunk size is 0; it must be at least 1 sector"));
}

TEST(AStripedTarget, AcceptsAChunkSizeThatIsNotAPowerOfTwo) {
  EXPECT_THAT(problems_in("0 24 striped 2 12 7:1 0 7:2 0\n"), IsEmpty());
}

TEST(AStripedTarget, AcceptsTheLargestChunkSizeTheKernelKeeps) {
  EXPECT_THAT(problems_in("0 4294967295 striped 1 4294967295 7:1 0\n"), IsEmpty());
}

TEST(AStripedTarget, RefusesAChunkSizePast32Bits) {
  EXPECT_THAT(problems_in("0 4294967296 striped 1 4294967296 7:1 0\n"),
              ElementsAre("line 1: chunk size: chunk size 4294967296 is past the kernel's limit "
                          "of 4294967295 sectors"));
}

TEST(AStripedTarget, RefusesTooFewArgumentsForItsStripes) {
  EXPECT_THAT(problems_in("0 16 striped 2 8 7:1 0 7:2\n"),
              ElementsAre("line 1: arguments: striped with 2 stripes takes 6 arguments (#stripes "
                          "chunk, then device offset per stripe), got 5"));
}

TEST(AStripedTarget, RefusesMoreArgumentsThanItsStripesTake) {
  EXPECT_THAT(problems_in("0 8 striped 1 8 7:1 0 7:2 0\n"),
              ElementsAre("line 1: arguments: striped with 1 stripe takes 4 arguments (#stripes "
                          "chunk, then device offset per stripe), got 6"));
}

TEST(AStripedTarget, RefusesFewerThanTwoArguments) {
  EXPECT_THAT(problems_in("0 8 striped 1\n"),
              ElementsAre("line 1: arguments: striped takes #stripes, chunk size and a device and "
                          "offset per stripe, got 1 argument"));
}

TEST(AStripedTarget, RefusesALengthNotDivisibleByTheStripeCount) {
  EXPECT_THAT(problems_in("0 129 striped 2 1 7:1 0 7:2 0\n"),
              ElementsAre("line 1: length: length 129 is not a multiple of 2 stripes x chunk size "
                          "1 = 2"));
}

TEST(AStripedTarget, RefusesALengthPerStripeNotDivisibleByTheChunkSize) {
  EXPECT_THAT(problems_in("0 24 striped 2 8 7:1 0 7:2 0\n"),
              ElementsAre("line 1: length: length 24 is not a multiple of 2 stripes x chunk size "
                          "8 = 16"));
}

TEST(AStripedTarget, SaysWhichStripesDeviceIsBad) {
  EXPECT_THAT(problems_in("0 16 striped 2 8 7:1 0 loop2 0\n"),
              ElementsAre("line 1: device: 'loop2' is neither MAJOR:MINOR nor an absolute path "
                          "under /dev/"));
}

TEST(AStripedTarget, RefusesAStripeOffsetWhoseEndDoesNotFitIn64Bits) {
  EXPECT_THAT(problems_in("0 16 striped 2 8 7:1 0 7:2 18446744073709551610\n"),
              ElementsAre("line 1: offset: offset 18446744073709551610 + length per stripe 8 does "
                          "not fit in 64 bits"));
}

// snapshot-origin

TEST(ASnapshotOriginTarget, TakesTheOrigin) {
  EXPECT_EQ(only_target("0 8 snapshot-origin /dev/loop1\n"),
            Target(SnapshotOriginTarget{device("/dev/loop1")}));
}

TEST(ASnapshotOriginTarget, RefusesNoArguments) {
  EXPECT_THAT(problems_in("0 8 snapshot-origin\n"),
              ElementsAre("line 1: arguments: snapshot-origin takes 1 argument (origin), got 0 "
                          "arguments"));
}

TEST(ASnapshotOriginTarget, RefusesTwoArguments) {
  EXPECT_THAT(problems_in("0 8 snapshot-origin 7:1 7:2\n"),
              ElementsAre("line 1: arguments: snapshot-origin takes 1 argument (origin), got 2 "
                          "arguments"));
}

TEST(ASnapshotOriginTarget, RefusesABadOrigin) {
  EXPECT_THAT(problems_in("0 8 snapshot-origin /dev/../tmp/x\n"),
              ElementsAre("line 1: origin: path '/dev/../tmp/x' has a '..' component"));
}

// snapshot and snapshot-merge

SnapshotTarget snapshot(std::string_view args) {
  return std::get<SnapshotTarget>(only_target("0 8 snapshot " + std::string(args) + "\n"));
}

TEST(ASnapshotTarget, TakesOriginCowPersistenceAndChunkSize) {
  EXPECT_EQ(snapshot("7:1 /dev/loop2 P 8"),
            (SnapshotTarget{false, device("7:1"), device("/dev/loop2"), SnapshotStore::Persistent,
                            Sectors(8), false, false}));
}

TEST(ASnapshotTarget, ReadsPOAsPersistentWithOverflowReported) {
  EXPECT_EQ(snapshot("7:1 7:2 PO 8").store, SnapshotStore::PersistentOverflow);
}

TEST(ASnapshotTarget, ReadsNAsTransient) {
  EXPECT_EQ(snapshot("7:1 7:2 N 16").store, SnapshotStore::Transient);
}

TEST(ASnapshotTarget, ReadsTheTutorialsSnapshotTargetAsSnapshot) {
  EXPECT_EQ(only_target("0 8 snapshot-target 7:1 7:2 P 8\n"),
            only_target("0 8 snapshot 7:1 7:2 P 8\n"));
}

TEST(ASnapshotTarget, RefusesAPersistenceOtherThanPPOOrN) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 p 8\n"),
              ElementsAre("line 1: persistence: 'p' is not P, PO or N"));
}

TEST(ASnapshotTarget, RefusesTooFewArguments) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P\n"),
              ElementsAre("line 1: arguments: snapshot takes origin, COW device, P|PO|N and chunk "
                          "size (then optional features), got 3 arguments"));
}

TEST(ASnapshotTarget, RefusesABadCowDevice) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 cow P 8\n"),
              ElementsAre("line 1: COW device: 'cow' is neither MAJOR:MINOR nor an absolute path "
                          "under /dev/"));
}

TEST(ASnapshotTarget, RefusesTheOriginAsItsOwnCow) {
  EXPECT_THAT(problems_in("0 8 snapshot /dev/loop1 /dev/loop1 P 8\n"),
              ElementsAre("line 1: COW device: the COW device /dev/loop1 is the origin itself"));
}

TEST(ASnapshotTarget, RefusesAChunkSizeThatIsNotAPowerOfTwo) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 12\n"),
              ElementsAre("line 1: chunk size: chunk size 12 is not a power of two"));
}

TEST(ASnapshotTarget, RefusesAChunkSizeOfZero) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 0\n"),
              ElementsAre("line 1: chunk size: chunk size 0 is outside 1..2097152 sectors"));
}

TEST(ASnapshotTarget, AcceptsAChunkSizeOfOneSector) {
  EXPECT_EQ(snapshot("7:1 7:2 P 1").chunk_size, Sectors(1));
}

TEST(ASnapshotTarget, AcceptsTheLargestChunkSizeTheKernelKeeps) {
  EXPECT_EQ(snapshot("7:1 7:2 P 2097152").chunk_size, Sectors(2097152));
}

TEST(ASnapshotTarget, RefusesTheNextPowerOfTwoChunkSize) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 4194304\n"),
              ElementsAre("line 1: chunk size: chunk size 4194304 is outside 1..2097152 sectors"));
}

TEST(ASnapshotTarget, AcceptsAFeatureCountOfZero) {
  EXPECT_EQ(snapshot("7:1 7:2 P 8 0"), snapshot("7:1 7:2 P 8"));
}

TEST(ASnapshotTarget, ReadsDiscardZeroesCow) {
  const SnapshotTarget target = snapshot("7:1 7:2 P 8 1 discard_zeroes_cow");
  EXPECT_TRUE(target.discard_zeroes_cow);
  EXPECT_FALSE(target.discard_passdown_origin);
}

TEST(ASnapshotTarget, ReadsBothFeaturesInEitherOrder) {
  const SnapshotTarget target =
      snapshot("7:1 7:2 P 8 2 discard_passdown_origin discard_zeroes_cow");
  EXPECT_TRUE(target.discard_zeroes_cow);
  EXPECT_TRUE(target.discard_passdown_origin);
}

TEST(ASnapshotTarget, RefusesDiscardPassdownOriginWithoutDiscardZeroesCow) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 1 discard_passdown_origin\n"),
              ElementsAre("line 1: feature: discard_passdown_origin requires discard_zeroes_cow"));
}

TEST(ASnapshotTarget, RefusesAFeatureGivenTwice) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 2 discard_zeroes_cow discard_zeroes_cow\n"),
              ElementsAre("line 1: feature: discard_zeroes_cow is given twice"));
}

TEST(ASnapshotTarget, RefusesAnUnknownFeature) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 1 fast\n"),
              ElementsAre("line 1: feature: unknown feature 'fast' (known: discard_zeroes_cow, "
                          "discard_passdown_origin)"));
}

TEST(ASnapshotTarget, RefusesAFeatureCountThatDisagreesWithTheFeatures) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 2 discard_zeroes_cow\n"),
              ElementsAre("line 1: arguments: feature count says 2, features given: 1"));
}

TEST(ASnapshotTarget, RefusesAFeatureCountAboveTwo) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 3 a b c\n"),
              ElementsAre("line 1: feature count: feature count 3 is more than the 2 features "
                          "there are"));
}

TEST(ASnapshotTarget, RefusesAFeatureCountThatIsNotANumber) {
  EXPECT_THAT(problems_in("0 8 snapshot 7:1 7:2 P 8 discard_zeroes_cow\n"),
              ElementsAre("line 1: feature count: 'discard_zeroes_cow' is not a plain decimal "
                          "number"));
}

TEST(ASnapshotMergeTarget, TakesAPersistentCow) {
  const Target target = only_target("0 8 snapshot-merge 7:1 7:2 P 8\n");
  EXPECT_TRUE(std::get<SnapshotTarget>(target).merge);
  EXPECT_THAT(problems_in("0 8 snapshot-merge 7:1 7:2 PO 8\n"), IsEmpty());
}

TEST(ASnapshotMergeTarget, RefusesATransientCow) {
  EXPECT_THAT(problems_in("0 8 snapshot-merge 7:1 7:2 N 8\n"),
              ElementsAre("line 1: persistence: snapshot-merge needs a persistent COW (P or PO), "
                          "not N"));
}

// zero and error

TEST(AZeroTarget, TakesNoArguments) {
  EXPECT_EQ(only_target("0 8 zero\n"), Target(ZeroTarget{}));
}

TEST(AZeroTarget, RefusesArguments) {
  EXPECT_THAT(problems_in("0 8 zero 7:1\n"),
              ElementsAre("line 1: arguments: zero takes no arguments, got 1 argument"));
}

TEST(AnErrorTarget, TakesNoArguments) {
  EXPECT_EQ(only_target("0 8 error\n"), Target(ErrorTarget{}));
}

TEST(AnErrorTarget, RefusesArguments) {
  EXPECT_THAT(problems_in("0 8 error a b\n"),
              ElementsAre("line 1: arguments: error takes no arguments, got 2 arguments"));
}

// other targets

TableContext kernel_listing(std::set<std::string> targets) {
  TableContext context;
  context.passthrough_targets = std::move(targets);
  return context;
}

TEST(APassthroughTarget, KeepsTheWordsOfATargetTheKernelLists) {
  EXPECT_EQ(
      only_target("0 8 crypt aes-xts-plain64 :64:logon:k 0 7:1 0\n", kernel_listing({"crypt"})),
      Target(PassthroughTarget{"crypt", {"aes-xts-plain64", ":64:logon:k", "0", "7:1", "0"}}));
}

TEST(APassthroughTarget, MayHaveNoArguments) {
  EXPECT_EQ(only_target("0 8 unstriped\n", kernel_listing({"unstriped"})),
            Target(PassthroughTarget{"unstriped", {}}));
}

TEST(APassthroughTarget, IsRefusedWhenTheKernelDoesNotListIt) {
  EXPECT_THAT(problems_in("0 8 thin 253:0 1\n", kernel_listing({"crypt"})),
              ElementsAre("line 1: target: unknown target 'thin': the running kernel does not "
                          "list it"));
}

TEST(APassthroughTarget, RefusesABackslashTheKernelWouldReadAsAnEscape) {
  EXPECT_THAT(problems_in("0 8 thin 253:0 a\\\n", kernel_listing({"thin"})),
              ElementsAre("line 1: arguments: argument 2 'a\\x5c' holds \\x5c; only printable "
                          "ASCII without backslashes is allowed"));
}

TEST(APassthroughTarget, RefusesAControlCharacter) {
  EXPECT_THAT(problems_in("0 8 thin 253:0\v1\n", kernel_listing({"thin"})),
              ElementsAre("line 1: arguments: argument 1 '253:0\\x0b1' holds \\x0b; only "
                          "printable ASCII without backslashes is allowed"));
}

TEST(APassthroughTarget, RefusesAByteTheKernelReadsAsASpace) {
  EXPECT_THAT(problems_in("0 8 thin 253:0\xa0"
                          "1\n",
                          kernel_listing({"thin"})),
              ElementsAre("line 1: arguments: argument 1 '253:0\\xa01' holds \\xa0; only "
                          "printable ASCII without backslashes is allowed"));
}

TEST(APassthroughTarget, NeverReplacesATypedTarget) {
  EXPECT_THAT(problems_in("0 8 linear 7:1\n", kernel_listing({"linear"})),
              ElementsAre("line 1: arguments: linear takes 2 arguments (device offset), got 1 "
                          "argument"));
}

}  // namespace
}  // namespace mapperd
