#pragma once
// Where mapperd exports a map: /org/mapperd/Mapper1/map/<name escaped by sd_bus_path_encode()>,
// and a loop device: /org/mapperd/Mapper1/loop/N. Kept apart from the bus code so the paths
// are tested on their own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mapperctl {

inline constexpr std::string_view kBusName = "org.mapperd.Mapper1";
inline constexpr std::string_view kManagerPath = "/org/mapperd/Mapper1";
inline constexpr std::string_view kMapPathPrefix = "/org/mapperd/Mapper1/map";
inline constexpr std::string_view kLoopPathPrefix = "/org/mapperd/Mapper1/loop";

// "new_name" -> "/org/mapperd/Mapper1/map/new_5fname", by libsystemd's sd_bus_path_encode() as
// the daemon does: every byte but ASCII letters, and digits after the first byte, becomes "_xx"
// (lowercase hex); the empty name is "_".
std::string map_object_path(std::string_view name);

// The inverse (sd_bus_path_decode()); nothing for a path outside kMapPathPrefix.
std::optional<std::string> map_name_from_path(std::string_view path);

// 7 -> "/org/mapperd/Mapper1/loop/7", the object of /dev/loop7.
std::string loop_object_path(std::uint32_t index);

// The inverse; nothing for any other path.
std::optional<std::uint32_t> loop_index_from_path(std::string_view path);

// The number of a loop device as a user names it: "/dev/loop7", "loop7" or "7". Nothing for
// anything else (leading zeros, signs, other devices).
std::optional<std::uint32_t> parse_loop_device(std::string_view text);

}  // namespace mapperctl
