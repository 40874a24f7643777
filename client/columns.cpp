#include "columns.h"

#include <cctype>

namespace mapperctl {

std::vector<std::string> column_names(const std::optional<std::string>& spec,
                                      const std::vector<std::string>& fallback) {
  if (!spec)
    return fallback;
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= spec->size()) {
    std::size_t end = spec->find(',', start);
    if (end == std::string::npos)
      end = spec->size();
    std::string name = spec->substr(start, end - start);
    for (char& c : name)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (name.empty())
      throw usage_error("--output: an empty column name in '" + *spec + "'");
    names.push_back(std::move(name));
    start = end + 1;
  }
  return names;
}

void throw_unknown_column(const std::string& name, const std::vector<std::string_view>& known) {
  std::string list;
  for (std::string_view column : known)
    list += (list.empty() ? "" : ",") + std::string(column);
  throw usage_error("--output: no column '" + name + "' (there are " + list + ")");
}

}  // namespace mapperctl
