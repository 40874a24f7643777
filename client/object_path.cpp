#include "object_path.h"

#include <systemd/sd-bus.h>

#include <cstdlib>
#include <memory>
#include <new>

#include "model/loop_index.h"

namespace mapperctl {
namespace {

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string map_object_path(std::string_view name) {
  char* encoded = nullptr;
  const int r =
      sd_bus_path_encode(std::string(kMapPathPrefix).c_str(), std::string(name).c_str(), &encoded);
  const std::unique_ptr<char, FreeDeleter> owner(encoded);
  // Only allocation fails here: every string has an encoding.
  if (r < 0)
    throw std::bad_alloc();
  return encoded;
}

std::optional<std::string> map_name_from_path(std::string_view path) {
  // sd_bus_path_decode() also decodes the prefix itself and paths below a map's: one element
  // it is, or no map.
  const std::string prefix = std::string(kMapPathPrefix) + "/";
  if (!path.starts_with(prefix) || path.size() == prefix.size() ||
      path.find('/', prefix.size()) != std::string_view::npos)
    return std::nullopt;
  char* decoded = nullptr;
  const int r =
      sd_bus_path_decode(std::string(path).c_str(), std::string(kMapPathPrefix).c_str(), &decoded);
  const std::unique_ptr<char, FreeDeleter> owner(decoded);
  if (r <= 0 || decoded == nullptr)
    return std::nullopt;
  return std::string(decoded);
}

std::string loop_object_path(std::uint32_t index) {
  return std::string(kLoopPathPrefix) + "/" + std::to_string(index);
}

std::optional<std::uint32_t> loop_index_from_path(std::string_view path) {
  const std::string prefix = std::string(kLoopPathPrefix) + "/";
  if (!path.starts_with(prefix))
    return std::nullopt;
  return mapperd::parse_loop_index_digits(path.substr(prefix.size()));
}

std::optional<std::uint32_t> parse_loop_device(std::string_view text) {
  if (text.starts_with("/dev/"))
    text.remove_prefix(5);
  if (text.starts_with("loop"))
    text.remove_prefix(4);
  return mapperd::parse_loop_index_digits(text);
}

}  // namespace mapperctl
