#include "json.h"

#include <gtest/gtest.h>

namespace mapperctl {
namespace {

TEST(AJsonValue, PrintsScalarsAsJson) {
  EXPECT_EQ(Json().dump(), "null");
  EXPECT_EQ(Json(true).dump(), "true");
  EXPECT_EQ(Json(false).dump(), "false");
  EXPECT_EQ(Json(-3).dump(), "-3");
  EXPECT_EQ(Json(std::uint64_t{18446744073709551615u}).dump(), "18446744073709551615");
  EXPECT_EQ(Json("twoasone").dump(), "\"twoasone\"");
}

TEST(AJsonObject, KeepsItsMembersInInsertionOrder) {
  const Json object = Json::object({{"name", "b"}, {"minor", 1}, {"able", true}});
  EXPECT_EQ(object.dump(), R"({"name":"b","minor":1,"able":true})");
}

TEST(AJsonArray, NestsObjectsAndArrays) {
  Json array;
  array.push_back(Json::object({{"table", Json::array({"0 8 linear 7:1 0"})}}));
  array.push_back(Json::Array{});
  EXPECT_EQ(array.dump(), R"([{"table":["0 8 linear 7:1 0"]},[]])");
}

TEST(AJsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_string("line\nnext\ttab\r"), R"("line\nnext\ttab\r")");
  EXPECT_EQ(json_string(std::string("nul\0bell\x07"
                                    "del\x7f",
                                    13)),
            R"("nul\u0000bell\u0007del\u007f")");
}

TEST(AJsonString, PassesValidUtf8Through) {
  EXPECT_EQ(json_string("Grüße 日本 😀"), "\"Grüße 日本 😀\"");
}

TEST(AJsonString, ReplacesBytesThatAreNotUtf8SoTheOutputStaysValid) {
  EXPECT_EQ(json_string("a\xff"
                        "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(json_string("\xc3"), R"("\ufffd")");                      // cut short
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a surrogate
}

TEST(AJsonValue, ComparesByValue) {
  EXPECT_EQ(Json::object({{"a", 1}}), Json::object({{"a", 1}}));
  EXPECT_NE(Json::object({{"a", 1}}), Json::object({{"a", 2}}));
}

TEST(AJsonObject, FindsAMemberByKey) {
  const Json object = Json::object({{"state", "active"}});
  ASSERT_NE(object.find("state"), nullptr);
  EXPECT_EQ(object.find("state")->string(), "active");
  EXPECT_EQ(object.find("size"), nullptr);
  EXPECT_EQ(Json("text").find("state"), nullptr);
}

}  // namespace
}  // namespace mapperctl
