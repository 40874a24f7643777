#include "model/names.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "model_test_support.h"

namespace mapperd {
namespace {

constexpr std::string_view kAllowedCharacters = " (only A-Z a-z 0-9 and # + - . : = @ _)";

Thrown name_error(std::string_view name) {
  return thrown_by([&] { validate_map_name(name); });
}

TEST(AMapName, MayUseEveryAllowedCharacter) {
  EXPECT_NO_THROW(validate_map_name("AZaz09#+-.:=@_"));
}

TEST(AMapName, MayBe127BytesLong) {
  EXPECT_NO_THROW(validate_map_name(std::string(127, 'a')));
}

TEST(AMapName, MayNotBe128BytesLong) {
  EXPECT_EQ(name_error(std::string(128, 'a')),
            (Thrown{ErrorKind::InvalidName, "map name '" + std::string(64, 'a') +
                                                "'... is 128 bytes long; the limit is 127"}));
}

TEST(AMapName, MayNotBeEmpty) {
  EXPECT_EQ(name_error(""), (Thrown{ErrorKind::InvalidName, "map name is empty"}));
}

TEST(AMapName, MayNotHoldASpaceAndTheErrorSaysWhere) {
  EXPECT_EQ(name_error("my map"), (Thrown{ErrorKind::InvalidName,
                                          "map name 'my map': character ' ' at byte 3 is not "
                                          "allowed" +
                                              std::string(kAllowedCharacters)}));
}

TEST(AMapName, MayNotHoldASlash) {
  EXPECT_EQ(name_error("a/b"), (Thrown{ErrorKind::InvalidName,
                                       "map name 'a/b': character '/' at byte 2 is not "
                                       "allowed" +
                                           std::string(kAllowedCharacters)}));
}

TEST(AMapName, MayNotHoldAControlCharacterAndTheErrorShowsItsCode) {
  EXPECT_EQ(name_error("ab\n"), (Thrown{ErrorKind::InvalidName,
                                        "map name 'ab\\x0a': character \\x0a at byte 3 is not "
                                        "allowed" +
                                            std::string(kAllowedCharacters)}));
}

TEST(AMapName, MayHoldADashAfterTheFirstCharacter) {
  EXPECT_NO_THROW(validate_map_name("a-"));
}

TEST(AMapName, MayNotStartWithADash) {
  EXPECT_EQ(name_error("-rf"), (Thrown{ErrorKind::InvalidName, "map name '-rf' starts with '-'"}));
}

TEST(AMapName, MayNotBeADot) {
  EXPECT_EQ(name_error("."), (Thrown{ErrorKind::InvalidName,
                                     "map name '.' is reserved (it would shadow /dev/mapper/.)"}));
}

TEST(AMapName, MayNotBeTwoDots) {
  EXPECT_EQ(name_error(".."),
            (Thrown{ErrorKind::InvalidName,
                    "map name '..' is reserved (it would shadow /dev/mapper/..)"}));
}

TEST(AMapName, MayNotBeControl) {
  EXPECT_EQ(name_error("control"),
            (Thrown{ErrorKind::InvalidName,
                    "map name 'control' is reserved (it would shadow /dev/mapper/control)"}));
}

TEST(AMapName, MayStartWithDotsOrControlWhenItIsLonger) {
  EXPECT_NO_THROW(validate_map_name("..."));
  EXPECT_NO_THROW(validate_map_name("controller"));
}

Thrown uuid_error(std::string_view uuid) {
  return thrown_by([&] { validate_uuid(uuid); });
}

TEST(AUuid, MayBe128BytesLong) {
  EXPECT_NO_THROW(validate_uuid(std::string(128, 'u')));
}

TEST(AUuid, MayNotBe129BytesLong) {
  EXPECT_EQ(uuid_error(std::string(129, 'u')),
            (Thrown{ErrorKind::InvalidArgument,
                    "UUID '" + std::string(64, 'u') + "'... is 129 bytes long; the limit is 128"}));
}

TEST(AUuid, MayNotBeEmpty) {
  EXPECT_EQ(uuid_error(""), (Thrown{ErrorKind::InvalidArgument, "UUID is empty"}));
}

TEST(AUuid, MayNotHoldACharacterOutsideTheNameCharacters) {
  EXPECT_EQ(uuid_error("ab{c}"), (Thrown{ErrorKind::InvalidArgument,
                                         "UUID 'ab{c}': character '{' at byte 3 is not "
                                         "allowed" +
                                             std::string(kAllowedCharacters)}));
}

TEST(AUuid, MayStartWithADashUnlikeAName) {
  EXPECT_NO_THROW(validate_uuid("-x"));
}

TEST(AnOwnedUuid, IsTheCallersUuidBehindOurPrefix) {
  EXPECT_EQ(owned_uuid("backup-1"), "MAPPERD-backup-1");
}

TEST(AnOwnedUuid, KeepsAPrefixTheCallerAlreadyGave) {
  EXPECT_EQ(owned_uuid("MAPPERD-backup-1"), "MAPPERD-backup-1");
}

TEST(AnOwnedUuid, IsThirtyTwoRandomHexDigitsWhenTheCallerGivesNone) {
  const std::string uuid = owned_uuid("");
  EXPECT_TRUE(std::regex_match(uuid, std::regex("MAPPERD-[0-9a-f]{32}"))) << uuid;
}

TEST(AnOwnedUuid, IsDifferentEachTimeItIsGenerated) {
  EXPECT_NE(owned_uuid(""), owned_uuid(""));
}

TEST(AnOwnedUuid, MayBe128BytesWithThePrefix) {
  EXPECT_EQ(owned_uuid(std::string(120, 'u')), "MAPPERD-" + std::string(120, 'u'));
}

TEST(AnOwnedUuid, IsRefusedWhenThePrefixWouldMakeIt129Bytes) {
  EXPECT_EQ(thrown_by([] { owned_uuid(std::string(121, 'u')); }),
            (Thrown{ErrorKind::InvalidArgument,
                    "UUID '" + std::string(64, 'u') +
                        "'... is 121 bytes long; with the MAPPERD- prefix it would be 129, past "
                        "the limit of 128"}));
}

TEST(AnOwnedUuid, IsRefusedWhenTheCallersUuidHoldsABadCharacter) {
  EXPECT_EQ(thrown_by([] { owned_uuid("a b"); }),
            (Thrown{ErrorKind::InvalidArgument,
                    "UUID 'a b': character ' ' at byte 2 is not "
                    "allowed" +
                        std::string(kAllowedCharacters)}));
}

TEST(AMapOwner, IsMapperdForOurPrefix) {
  EXPECT_EQ(owner_of("MAPPERD-0123"), MapOwner::Mapperd);
}

TEST(AMapOwner, IsLvmForLvmsPrefix) {
  EXPECT_EQ(owner_of("LVM-pPZrbdyv3VOrkbFsN8kfHL2Wc6dP9pGZ"), MapOwner::Lvm);
}

TEST(AMapOwner, IsCryptsetupForCryptsetupsPrefix) {
  EXPECT_EQ(owner_of("CRYPT-LUKS2-0123-root"), MapOwner::Cryptsetup);
}

TEST(AMapOwner, IsOtherForAnyOtherUuid) {
  EXPECT_EQ(owner_of(""), MapOwner::Other);
  EXPECT_EQ(owner_of("mapperd-0123"), MapOwner::Other);
  EXPECT_EQ(owner_of("MAPPERD"), MapOwner::Other);
}

}  // namespace
}  // namespace mapperd
