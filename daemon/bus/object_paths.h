#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mapperd::bus {

inline constexpr std::string_view kServiceName = "org.mapperd.Mapper1";
inline constexpr std::string_view kManagerPath = "/org/mapperd/Mapper1";
inline constexpr std::string_view kMapPathPrefix = "/org/mapperd/Mapper1/map";
inline constexpr std::string_view kManagerInterface = "org.mapperd.Mapper1.Manager";
inline constexpr std::string_view kMapInterface = "org.mapperd.Mapper1.Map";

// /org/mapperd/Mapper1/map/<name escaped as sd_bus_path_encode() does>: "twoasone" stays as it
// is, "my-map" becomes "my_2dmap". Throws mapperd::Error(Failed) only when out of memory.
std::string map_object_path(std::string_view name);

// The map name a map object path encodes; nothing for any other path.
std::optional<std::string> map_name_of(std::string_view path);

}  // namespace mapperd::bus
