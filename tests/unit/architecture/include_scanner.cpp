#include "include_scanner.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace mapperd::architecture {
namespace {

bool is_source_file(const std::filesystem::path& path) {
  static const std::set<std::string> kExtensions = {".c",  ".cc",  ".cpp", ".cxx", ".h",
                                                    ".hh", ".hpp", ".hxx", ".inl", ".ipp"};
  return kExtensions.contains(path.extension().string());
}

bool is_skipped_folder(const std::filesystem::path& folder) {
  const std::string name = folder.filename().string();
  return name.starts_with('.') || name.starts_with("build") ||
         std::filesystem::exists(folder / "CMakeCache.txt");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string Include::describe() const {
  const std::string spelled = angle_brackets ? "<" + header + ">" : "\"" + header + "\"";
  return file + ":" + std::to_string(line) + " includes " + spelled;
}

std::vector<Include> includes_in(std::string_view text, const std::string& file) {
  static const std::regex kDirective(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> includes;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::smatch match;
    if (std::regex_search(line, match, kDirective)) {
      includes.push_back(Include{file, number, match[2].str(), match[1].str() == "<"});
    }
  }
  return includes;
}

std::vector<Include> includes_under(const std::filesystem::path& root) {
  std::vector<Include> includes;
  for (auto entry = std::filesystem::recursive_directory_iterator(root);
       entry != std::filesystem::recursive_directory_iterator(); ++entry) {
    if (entry->is_directory() && is_skipped_folder(entry->path())) {
      entry.disable_recursion_pending();
      continue;
    }
    if (!entry->is_regular_file() || !is_source_file(entry->path()))
      continue;
    const std::string relative = entry->path().lexically_relative(root).generic_string();
    for (Include& include : includes_in(read_file(entry->path()), relative)) {
      includes.push_back(std::move(include));
    }
  }
  return includes;
}

}  // namespace mapperd::architecture
