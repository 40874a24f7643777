#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mapperd::bus {

inline constexpr std::string_view kServiceName = "org.mapperd.Mapper1";
inline constexpr std::string_view kManagerPath = "/org/mapperd/Mapper1";
inline constexpr std::string_view kMapPathPrefix = "/org/mapperd/Mapper1/map";
inline constexpr std::string_view kManagerInterface = "org.mapperd.Mapper1.Manager";
inline constexpr std::string_view kMapInterface = "org.mapperd.Mapper1.Map";
inline constexpr std::string_view kLoopPathPrefix = "/org/mapperd/Mapper1/loop";
inline constexpr std::string_view kLoopInterface = "org.mapperd.Mapper1.Loop";
inline constexpr std::string_view kJobPathPrefix = "/org/mapperd/Mapper1/job";
inline constexpr std::string_view kJobInterface = "org.mapperd.Mapper1.Job";

// /org/mapperd/Mapper1/map/<name escaped as sd_bus_path_encode() does>: "twoasone" stays as it
// is, "my-map" becomes "my_2dmap". Throws mapperd::Error(Failed) only when out of memory.
std::string map_object_path(std::string_view name);

// The map name a map object path encodes; nothing for any other path.
std::optional<std::string> map_name_of(std::string_view path);

// /org/mapperd/Mapper1/loop/N for /dev/loopN (decimal digits need no escaping).
std::string loop_object_path(std::uint32_t index);

// /org/mapperd/Mapper1/job/N for the engine's job N.
std::string job_object_path(std::uint32_t id);

// N of a loop object path; nothing for any other path (leading zeros, signs, extra elements).
std::optional<std::uint32_t> loop_index_of(std::string_view path);

}  // namespace mapperd::bus
