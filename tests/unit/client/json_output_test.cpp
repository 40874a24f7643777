#include "json_output.h"

#include <gtest/gtest.h>

namespace mapperctl {
namespace {

TEST(ShortJson, IsOneLineWithMembersInTheOrderWritten) {
  const Json object = {{"name", "b"}, {"minor", 1}, {"able", true}, {"none", nullptr}};
  EXPECT_EQ(json_text(object, JsonMode::Short),
            R"({"name":"b","minor":1,"able":true,"none":null})");
}

TEST(PrettyJson, IsIndentedAndReadsBackTheSame) {
  const Json object = {{"name", "b"}, {"table", {"0 8 linear 7:1 0"}}};
  const std::string text = json_text(object, JsonMode::Pretty);
  EXPECT_EQ(text, "{\n  \"name\": \"b\",\n  \"table\": [\n    \"0 8 linear 7:1 0\"\n  ]\n}");
  EXPECT_EQ(Json::parse(text), object);
}

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_text("a\"b\\c", JsonMode::Short), R"("a\"b\\c")");
  EXPECT_EQ(json_text("line\nnext\ttab\r", JsonMode::Short), R"("line\nnext\ttab\r")");
  EXPECT_EQ(json_text(std::string("nul\0bell\x07", 9), JsonMode::Short),
            R"("nul\u0000bell\u0007")");
}

TEST(JsonText, PassesValidUtf8Through) {
  EXPECT_EQ(json_text("Grüße 日本 😀", JsonMode::Short), "\"Grüße 日本 😀\"");
}

// A backing file's name is any bytes; the output must stay JSON a parser reads.
TEST(JsonText, ReplacesBytesThatAreNotUtf8SoTheOutputStaysValid) {
  for (const char* bytes : {"a\xff"
                            "b",
                            "\xc3", "\xc0\xaf", "\xed\xa0\x80"}) {
    const std::string text = json_text(bytes, JsonMode::Short);
    const Json read = Json::parse(text);
    ASSERT_TRUE(read.is_string()) << text;
    EXPECT_NE(read.get<std::string>().find("\xef\xbf\xbd"), std::string::npos) << text;
  }
  EXPECT_EQ(Json::parse(json_text("a\xff"
                                  "b",
                                  JsonMode::Short))
                .get<std::string>(),
            "a\xef\xbf\xbd"
            "b");
}

}  // namespace
}  // namespace mapperctl
