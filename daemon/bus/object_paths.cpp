#include "object_paths.h"

#include <systemd/sd-bus.h>

#include <cstdlib>
#include <memory>

#include "model/error.h"

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

}  // namespace mapperd::bus
