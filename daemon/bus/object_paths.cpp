#include "object_paths.h"

#include <systemd/sd-bus.h>

#include <charconv>
#include <cstdlib>
#include <memory>

#include "model/error.h"
#include "model/loop_index.h"

namespace mapperd::bus {
namespace {

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string map_object_path(std::string_view name) {
  char* encoded = nullptr;
  const int r =
      sd_bus_path_encode(std::string(kMapPathPrefix).c_str(), std::string(name).c_str(), &encoded);
  std::unique_ptr<char, FreeDeleter> owner(encoded);
  if (r < 0)
    throw Error(ErrorKind::Failed, "cannot encode an object path for map " + std::string(name));
  return encoded;
}

std::optional<std::string> map_name_of(std::string_view path) {
  char* decoded = nullptr;
  const int r =
      sd_bus_path_decode(std::string(path).c_str(), std::string(kMapPathPrefix).c_str(), &decoded);
  std::unique_ptr<char, FreeDeleter> owner(decoded);
  if (r <= 0 || decoded == nullptr)
    return std::nullopt;
  return std::string(decoded);
}

std::string loop_object_path(std::uint32_t index) {
  return std::string(kLoopPathPrefix) + "/" + std::to_string(index);
}

std::optional<std::uint32_t> loop_index_of(std::string_view path) {
  const std::string prefix = std::string(kLoopPathPrefix) + "/";
  if (!path.starts_with(prefix))
    return std::nullopt;
  return parse_loop_index_digits(path.substr(prefix.size()));
}

std::string job_object_path(std::uint32_t id) {
  return std::string(kJobPathPrefix) + "/" + std::to_string(id);
}

}  // namespace mapperd::bus
