// The scanner the architecture rules stand on: if it missed includes, the rules would pass
// without looking.
#include "include_scanner.h"

#include <gtest/gtest.h>

namespace mapperd::architecture {
namespace {

TEST(AnIncludeScanner, FindsAnAngleBracketInclude) {
  const std::vector<Include> found = includes_in("#include <libdevmapper.h>\n", "a.cpp");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].header, "libdevmapper.h");
  EXPECT_TRUE(found[0].angle_brackets);
  EXPECT_EQ(found[0].describe(), "a.cpp:1 includes <libdevmapper.h>");
}

TEST(AnIncludeScanner, FindsAQuotedIncludeAndItsLine) {
  const std::vector<Include> found = includes_in("// x\n\n#include \"model/table.h\"\n", "b.h");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].describe(), "b.h:3 includes \"model/table.h\"");
}

TEST(AnIncludeScanner, FindsAnIndentedIncludeWithSpacesAfterTheHash) {
  const std::vector<Include> found =
      includes_in("#ifdef X\n#  include <libudev.h>\n#endif\n", "c.c");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].header, "libudev.h");
  EXPECT_EQ(found[0].line, 2);
}

TEST(AnIncludeScanner, IgnoresAnIncludeInAComment) {
  EXPECT_TRUE(includes_in("// #include <libudev.h>\n", "d.cpp").empty());
}

TEST(AnIncludeScanner, IgnoresAnIncludeInAString) {
  EXPECT_TRUE(includes_in("const char* s = \"#include <libudev.h>\";\n", "e.cpp").empty());
}

}  // namespace
}  // namespace mapperd::architecture
