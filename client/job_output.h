#pragma once
// How mapperctl shows a job: the live bar on a terminal, the plain line for logs, the JSON
// object, and the rows of `mapperctl jobs`. Pure functions of the job and the time.

#include <cstdint>
#include <string>

#include "json_output.h"
#include "mapper_service.h"

namespace mapperctl {

// "1.5 MiB", "512 B": binary units, one decimal.
std::string byte_size_text(std::uint64_t bytes);
// "1:05", "12 s", "?": what is left until `job.expected_end`, seen at `now_us`.
std::string time_left_text(const JobInfo& job, std::uint64_t now_us);
// "[#########...........]  42%  1.5 MiB/s  0:12 left", for a terminal; the width is fixed so a
// carriage return redraws it in place.
std::string progress_bar(const JobInfo& job, std::uint64_t now_us);
// "merge snap: 42% (5.0 MiB of 12.0 MiB, 1.5 MiB/s, 12 s left)", for a log.
std::string progress_line(const std::string& subject, const JobInfo& job, std::uint64_t now_us);
// {"job", "operation", "maps", "progress" (null while not valid), "bytes-done", "bytes-total",
//  "rate", "start-time", "expected-end-time" (null while unknown), "started-by-uid",
//  "cancelable"}.
Json job_json(const JobInfo& job);

}  // namespace mapperctl
