#pragma once
// What the load and flood clients call mapperd by on the system bus.

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <map>
#include <string>

namespace mapperd::load {

using Clock = std::chrono::steady_clock;
// A method's a{sv} options.
using Options = std::map<std::string, sdbus::Variant>;

inline constexpr const char* kService = "org.mapperd.Mapper1";
inline constexpr const char* kManagerPath = "/org/mapperd/Mapper1";
inline constexpr const char* kManager = "org.mapperd.Mapper1.Manager";
inline constexpr const char* kMap = "org.mapperd.Mapper1.Map";

}  // namespace mapperd::load
