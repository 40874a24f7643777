#pragma once
// The job side of mapperd's API on a connection: Map.Merge followed to its end, and the running
// jobs. Part of the bus implementation (bus_mapper_service.cpp), in a file of its own.

#include <sdbus-c++/IConnection.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mapper_service.h"

namespace mapperctl {

// Calls Map.Merge on `name` with `options` (a{sv}, auth options included). With follow, every
// Job signal is subscribed to before the call, so not even a merge that ends at once is missed,
// and a mapperd that goes away before the job ends is a CommandError (TimedOut: the merge's end
// is not known). sdbus::Error escapes for the caller to translate.
MergeReply merge_on(sdbus::IConnection& connection, const std::string& name,
                    std::map<std::string, sdbus::Variant> options, bool follow,
                    const std::function<void(const std::string&)>& on_started,
                    const std::function<void(const JobInfo&)>& on_update);

// Every Job object in mapperd's ObjectManager, sorted by path.
std::vector<JobInfo> jobs_on(sdbus::IConnection& connection);

}  // namespace mapperctl
