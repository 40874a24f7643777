// The one masking function for key material: what dmsetup hides without --showkeys, in a line's
// parameters, in table text as callers write it, and in target messages.

#include "model/key_masking.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

TEST(KeyMasking, HidesACryptKeyAsDmsetupDoes) {
  EXPECT_EQ(mask_key_material("crypt", "aes-xts-plain64 0123abcd 0 7:1 0"),
            "aes-xts-plain64 00000000 0 7:1 0");
}

TEST(KeyMasking, KeepsAKeyringReferenceWhichCarriesNoKey) {
  const std::string params = "aes-xts-plain64 :64:logon:cryptsetup:abc 0 7:1 0";
  EXPECT_EQ(mask_key_material("crypt", params), params);
}

TEST(KeyMasking, HidesTheKeysInIntegrityOptions) {
  EXPECT_EQ(mask_key_material("integrity",
                              "7:1 0 32 J 2 internal_hash:hmac(sha256):abcd "
                              "journal_crypt:ctr(aes):ff11"),
            "7:1 0 32 J 2 internal_hash:hmac(sha256):0000 journal_crypt:ctr(aes):0000");
}

TEST(KeyMasking, LeavesOtherTargetsAlone) {
  EXPECT_EQ(mask_key_material("linear", "7:1 0"), "7:1 0");
}

TEST(KeyMasking, FindsTheKeyBehindExtraBlanks) {
  EXPECT_EQ(mask_key_material("crypt", "aes  \t0123abcd 0 7:1 0"), "aes  \t00000000 0 7:1 0");
}

TEST(TableKeyMasking, MasksEveryCryptLineAndKeepsTheRestByteForByte) {
  EXPECT_EQ(mask_table_keys("0 8 linear /dev/loop0 0\n"
                            "8  8\tcrypt aes-cbc-essiv:sha256 abcdef12 0 /dev/loop1 0\n"
                            "# a comment\n"
                            "16 8 crypt aes :32:logon:k 0 7:1 0"),
            "0 8 linear /dev/loop0 0\n"
            "8  8\tcrypt aes-cbc-essiv:sha256 00000000 0 /dev/loop1 0\n"
            "# a comment\n"
            "16 8 crypt aes :32:logon:k 0 7:1 0");
}

TEST(TableKeyMasking, MasksIntegrityOptionsInTableText) {
  EXPECT_EQ(mask_table_keys("0 8 integrity 7:1 0 32 J 1 journal_mac:hmac(sha256):beef\n"),
            "0 8 integrity 7:1 0 32 J 1 journal_mac:hmac(sha256):0000\n");
}

TEST(TableKeyMasking, LeavesATableWithoutKeysAlone) {
  const std::string table = "0 8 linear 7:1 0\n8 8 zero\n";
  EXPECT_EQ(mask_table_keys(table), table);
}

TEST(MessageKeyMasking, HidesTheKeyOfACryptKeySet) {
  EXPECT_EQ(mask_message_keys("key set 0123456789abcdef"), "key set <masked>");
  EXPECT_EQ(mask_message_keys("key  set\t0123 4567"), "key  set <masked>");
}

TEST(MessageKeyMasking, KeepsAKeyringReferenceAndOtherMessages) {
  EXPECT_EQ(mask_message_keys("key set :32:logon:k"), "key set :32:logon:k");
  EXPECT_EQ(mask_message_keys("key wipe"), "key wipe");
  EXPECT_EQ(mask_message_keys("@cancel_deferred_remove"), "@cancel_deferred_remove");
}

}  // namespace
}  // namespace mapperd
