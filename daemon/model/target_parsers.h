#pragma once
// Internal to the model: reading one segment's target and its arguments.

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "line_problems.h"
#include "sectors.h"
#include "table.h"

namespace mapperd {

// The target named `type` with `args`, or nothing after adding to `problems` what is wrong
// (a target is only returned when it has no problem at all).
// Checks each argument, and, when the segment's `length` is known, the rules that tie the
// arguments to it (no 64-bit overflow of offset + length, striped length divisible by
// stripes x chunk). `passthrough_targets` are the other types the running kernel lists.
std::optional<Target> parse_target(std::string_view type, std::span<const std::string_view> args,
                                   std::optional<Sectors> length,
                                   const std::set<std::string>& passthrough_targets,
                                   LineProblems& problems);

}  // namespace mapperd
