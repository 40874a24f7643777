#include "job_output.h"

#include <cstdio>

namespace mapperctl {

std::string byte_size_text(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0)
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string time_left_text(const JobInfo& job, std::uint64_t now_us) {
  if (job.expected_end == 0)
    return "?";
  const std::uint64_t seconds =
      job.expected_end > now_us ? (job.expected_end - now_us + 999'999) / 1'000'000 : 0;
  if (seconds < 60)
    return std::to_string(seconds) + " s";
  char text[32];
  std::snprintf(text, sizeof text, "%llu:%02llu", static_cast<unsigned long long>(seconds / 60),
                static_cast<unsigned long long>(seconds % 60));
  return text;
}

namespace {

int percent_of(const JobInfo& job) {
  return job.progress_valid ? static_cast<int>(job.progress * 100) : 0;
}

std::string rate_text(const JobInfo& job) {
  return job.rate == 0 ? "?/s" : byte_size_text(job.rate) + "/s";
}

}  // namespace

std::string progress_bar(const JobInfo& job, std::uint64_t now_us) {
  constexpr int kWidth = 30;
  const int filled = job.progress_valid ? static_cast<int>(job.progress * kWidth) : 0;
  std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(kWidth - filled), '.') + "]";
  char text[160];
  std::snprintf(text, sizeof text, "%s %3d%%  %12s  %8s left", bar.c_str(), percent_of(job),
                rate_text(job).c_str(), time_left_text(job, now_us).c_str());
  return text;
}

std::string progress_line(const std::string& subject, const JobInfo& job, std::uint64_t now_us) {
  if (!job.progress_valid)
    return subject + ": started, progress not known yet";
  return subject + ": " + std::to_string(percent_of(job)) + "% (" + byte_size_text(job.bytes_done) +
         " of " + byte_size_text(job.bytes_total) + ", " + rate_text(job) + ", " +
         time_left_text(job, now_us) + " left)";
}

Json job_json(const JobInfo& job) {
  Json value;
  value["job"] = job.path;
  value["operation"] = job.operation;
  value["maps"] = job.maps;
  value["progress"] = job.progress_valid ? Json(job.progress) : Json(nullptr);
  value["bytes-done"] = job.bytes_done;
  value["bytes-total"] = job.bytes_total;
  value["rate"] = job.rate;
  value["start-time"] = job.start_time;
  value["expected-end-time"] = job.expected_end == 0 ? Json(nullptr) : Json(job.expected_end);
  value["started-by-uid"] = job.started_by_uid;
  value["cancelable"] = job.cancelable;
  return value;
}

}  // namespace mapperctl
