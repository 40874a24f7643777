#include "restore_log.h"

#include <string>

namespace mapperd {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : ", ") + word;
  return text;
}

std::vector<LogField> map_field(const std::string& name) {
  return {LogField{"MAPPERD_MAP", name}};
}

std::vector<LogField> loop_field(const std::string& file) {
  return {LogField{"MAPPERD_LOOP_FILE", file}};
}

}  // namespace

void log_restore_report(EventLog& log, const RestoreReport& report, bool summary) {
  for (const std::string& file : report.quarantined) {
    log.write(LogLevel::Error, "unreadable state file set aside, the rest comes up: " + file);
  }
  for (const std::string& action : report.recovered)
    log.write(LogLevel::Notice, "interrupted operation recovered: " + action);
  for (const std::string& file : report.swept_cow_files)
    log.write(LogLevel::Notice, "deleted " + file + ", a COW file no snapshot has any more");
  for (const std::string& failure : report.recovery_failures)
    log.write(LogLevel::Error, "interrupted operation not recovered: " + failure);
  for (const LoopRecord& loop : report.loops) {
    log.write(LogLevel::Info, loop.device_path() + " shows " + loop.backing.file + " (stored loop)",
              loop_field(loop.backing.file));
  }
  for (const RestoreReport::Waiting& loop : report.waiting_loops) {
    log.write(LogLevel::Notice, "stored loop for " + loop.name + " waits: " + joined(loop.missing),
              loop_field(loop.name));
  }
  for (const RestoreReport::Failure& loop : report.failed_loops) {
    log.write(LogLevel::Error, "stored loop for " + loop.name + " not attached: " + loop.error,
              loop_field(loop.name));
  }
  for (const std::string& name : report.created)
    log.write(LogLevel::Info, "map " + name + " restored: pending -> active", map_field(name));
  for (const RestoreReport::Waiting& map : report.pending) {
    log.write(LogLevel::Notice,
              "map " + map.name + " is pending, waiting for " + joined(map.missing),
              map_field(map.name));
  }
  for (const RestoreReport::Failure& map : report.failed) {
    log.write(LogLevel::Error, "map " + map.name + " not restored: " + map.error,
              map_field(map.name));
  }
  for (const std::string& name : report.repaired) {
    log.write(LogLevel::Notice,
              "map " + name + " put back on its devices, which had vanished under it",
              map_field(name));
  }
  for (const RestoreReport::Failure& map : report.not_repaired) {
    log.write(LogLevel::Error,
              "map " + map.name + " could not be put back on its devices: " + map.error,
              map_field(map.name));
  }
  for (const std::string& difference : report.differences)
    log.write(LogLevel::Warning, "stored and running differ: " + difference);
  if (summary) {
    log.write(LogLevel::Info, "restore: " + std::to_string(report.created.size()) + " maps made, " +
                                  std::to_string(report.adopted.size()) + " already running, " +
                                  std::to_string(report.pending.size()) + " waiting for devices, " +
                                  std::to_string(report.failed.size()) + " failed; " +
                                  std::to_string(report.loops.size()) + " loops bound; took " +
                                  std::to_string(report.took.count()) + " ms");
  }
}

}  // namespace mapperd
