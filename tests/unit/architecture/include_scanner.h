#pragma once
// Finds the #include lines of the project's source files, for the architecture tests.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mapperd::architecture {

struct Include {
  std::string file;  // relative to the source tree, with '/' separators
  int line = 0;      // 1-based
  std::string header;
  bool angle_brackets = false;  // <header> rather than "header"

  // "daemon/engine/engine.cpp:12 includes <libdevmapper.h>"
  std::string describe() const;
};

// The includes of one file's text. Only lines that are an #include directive count, so an
// include inside a // comment or a string is not one.
std::vector<Include> includes_in(std::string_view text, const std::string& file);

// The includes of every C and C++ source file under `root`, skipping hidden folders and build
// trees (folders that hold a CMakeCache.txt or whose name starts with "build").
std::vector<Include> includes_under(const std::filesystem::path& root);

}  // namespace mapperd::architecture
