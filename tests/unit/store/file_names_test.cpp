// Which file holds which definition: names the administrator can predict (systemd-escape
// --path) and that are always valid file names.
#include "store/file_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>

#include "model/error.h"

namespace mapperd::store {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

ErrorKind kind_of_failure(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no Error was thrown";
  return ErrorKind::Failed;
}

// Expected values are what `systemd-escape --path` (systemd 252) prints.
TEST(AnEscapedPath, IsWhatSystemdEscapeMakesOfIt) {
  EXPECT_EQ(escape_path("/var/lib/x.img"), "var-lib-x.img");
  EXPECT_EQ(escape_path("/var/lib/my-disk@2 \xc3\xbc.img"),
            "var-lib-my\\x2ddisk\\x402\\x20\\xc3\\xbc.img");
  EXPECT_EQ(escape_path("/.hidden/a.b"), "\\x2ehidden-a.b");
  EXPECT_EQ(escape_path("/a/.hidden"), "a-.hidden");
  EXPECT_EQ(escape_path("//a//b/./c/"), "a-b-c");
  EXPECT_EQ(escape_path("/"), "-");
  EXPECT_EQ(escape_path("/a~b"), "a\\x7eb");
  EXPECT_EQ(escape_path("/srv/A_b:c"), "srv-A_b:c");
}

TEST(AnEscapedPath, IsRefusedForAPathThatIsNotAbsoluteOrNotNormal) {
  EXPECT_EQ(kind_of_failure([] { escape_path("var/lib/x.img"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of_failure([] { escape_path(""); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of_failure([] { escape_path("/var/../etc/x"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of_failure([] { escape_path(std::string("/a\0b", 4)); }),
            ErrorKind::InvalidArgument);
}

TEST(ALoopFileName, IsTheEscapedBackingFileAndTheOffset) {
  LoopBacking backing;
  backing.file = "/var/lib/x.img";
  backing.offset = 4096;
  EXPECT_EQ(loop_file_name(backing), "var-lib-x.img@4096.json");
  backing.offset = 0;
  EXPECT_EQ(loop_file_name(backing), "var-lib-x.img@0.json");
}

TEST(ALoopFileName, OfAVeryLongPathIsShortenedWithAHashAndStaysUnique) {
  LoopBacking first;
  first.file = "/srv/" + std::string(300, 'a') + "/one.img";
  LoopBacking second = first;
  second.file = "/srv/" + std::string(300, 'a') + "/two.img";
  const std::string first_name = loop_file_name(first);
  EXPECT_LE(first_name.size(), kMaxFileNameBytes);
  EXPECT_THAT(first_name, EndsWith("@0.json"));
  EXPECT_THAT(first_name, HasSubstr("~"));
  EXPECT_NE(first_name, loop_file_name(second));
  EXPECT_EQ(first_name, loop_file_name(first)) << "the name must not change between calls";
}

TEST(ALoopFileName, ShortenedNeverSplitsAnEscape) {
  // Every '-' of the file name becomes "\x2d": cut at any length, an escape could be split.
  for (std::size_t length = 240; length < 260; ++length) {
    LoopBacking backing;
    backing.file = "/" + std::string(length / 4, '-') + std::string(length % 4, 'b');
    const std::string name = loop_file_name(backing);
    const std::string start = name.substr(0, name.find('~'));
    EXPECT_TRUE(std::regex_match(start, std::regex(R"(([^\\]|\\x[0-9a-f]{2})*)")))
        << "length " << length << ": " << name;
    EXPECT_LE(name.size(), kMaxFileNameBytes);
  }
}

TEST(AMapFileName, IsTheNameWithJson) {
  EXPECT_EQ(map_file_name("twoasone"), "twoasone.json");
  EXPECT_EQ(map_file_name("a@b:c"), "a@b:c.json");
}

TEST(AMapFileName, IsRefusedForANameThatCannotBeAFile) {
  EXPECT_EQ(kind_of_failure([] { map_file_name(".hidden"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { map_file_name("a/b"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { map_file_name(".."); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { map_file_name(""); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { map_file_name("control"); }), ErrorKind::InvalidName);
}

TEST(AFactsFileName, IsTheOwnedUuid) {
  EXPECT_EQ(facts_file_name("MAPPERD-abc"), "MAPPERD-abc.json");
  EXPECT_EQ(kind_of_failure([] { facts_file_name("LVM-abc"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { facts_file_name("MAPPERD-a/b"); }), ErrorKind::InvalidName);
}

TEST(AnIntentFileName, IsTheIdWhenItIsPlain) {
  EXPECT_EQ(intent_file_name("create-17"), "create-17.json");
  EXPECT_EQ(kind_of_failure([] { intent_file_name(""); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { intent_file_name(".x"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { intent_file_name("a/b"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([] { intent_file_name(std::string(129, 'a')); }),
            ErrorKind::InvalidName);
}

}  // namespace
}  // namespace mapperd::store
