#pragma once
// org.mapperd.Mapper1.Map's, .Loop's and .Job's properties, as D-Bus sends them, into MapInfo,
// LoopInfo and JobInfo.

#include <sdbus-c++/Types.h>

#include <map>
#include <string>
#include <vector>

#include "mapper_service.h"

namespace mapperctl {

using PropertyValues = std::map<std::string, sdbus::Variant>;

// Copies every known property in `values` into `map` and returns the names it copied. A
// property of an unexpected type, or one this client does not know, is skipped, so a newer
// daemon never breaks an older mapperctl.
std::vector<std::string> apply_map_properties(const PropertyValues& values, MapInfo& map);

// The same for a loop's properties; `loop.index` is not among them (it is in the object path).
std::vector<std::string> apply_loop_properties(const PropertyValues& values, LoopInfo& loop);

// The same for a job's (Objects become map names); unknown ones are skipped.
void apply_job_properties(const PropertyValues& values, JobInfo& job);

}  // namespace mapperctl
