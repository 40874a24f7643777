#pragma once

#include <string>
#include <vector>

namespace mapperd {

// "a, b, c": how the engine's messages name several maps.
inline std::string comma_list(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : ", ") + word;
  return text;
}

}  // namespace mapperd
