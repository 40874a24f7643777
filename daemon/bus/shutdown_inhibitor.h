#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/Types.h>

#include <cstdint>
#include <map>
#include <string>

#include "log/event_log.h"

namespace mapperd::bus {

// logind "block" inhibitors (shutdown:sleep, who=mapperd) held while merges run, so the machine
// does not go down in the middle of one. logind grants them without polkit to a caller with
// CAP_SYS_BOOT (mapperd.service has it). A refusal (no logind, no right) is logged and nothing
// else: the merge runs on, the kernel's exception store makes a cut-short merge safe to resume.
class ShutdownInhibitor {
 public:
  ShutdownInhibitor(sdbus::IConnection& connection, EventLog& log)
      : connection_(connection), log_(log) {}

  // Takes an inhibitor for `job` ("merging snapshot NAME"); at most 2 s of asking.
  void hold(std::uint32_t job, const std::string& why);
  // Closes the inhibitor `job` held, if any.
  void release(std::uint32_t job) { held_.erase(job); }

 private:
  sdbus::IConnection& connection_;
  EventLog& log_;
  std::map<std::uint32_t, sdbus::UnixFd> held_;
};

}  // namespace mapperd::bus
