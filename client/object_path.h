#pragma once
// Where mapperd exports a map: /org/mapperd/Mapper1/map/<name escaped as sd_bus_path_encode()
// escapes it>. Kept apart from the bus code so the escaping is tested on its own.

#include <optional>
#include <string>
#include <string_view>

namespace mapperctl {

inline constexpr std::string_view kBusName = "org.mapperd.Mapper1";
inline constexpr std::string_view kManagerPath = "/org/mapperd/Mapper1";
inline constexpr std::string_view kMapPathPrefix = "/org/mapperd/Mapper1/map";

// "new_name" -> "/org/mapperd/Mapper1/map/new_5fname": every byte but ASCII letters, and digits
// after the first byte, becomes "_xx" (lowercase hex); the empty name is "_".
std::string map_object_path(std::string_view name);

// The inverse; nothing for a path outside kMapPathPrefix or a malformed escape.
std::optional<std::string> map_name_from_path(std::string_view path);

}  // namespace mapperctl
