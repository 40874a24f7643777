#pragma once

#include "event_log.h"

namespace mapperd {

// EventLog into the systemd journal (sd_journal_sendv) with SYSLOG_IDENTIFIER=mapperd and the
// given fields. When the journal cannot be reached (no journald, a terminal run) the message and
// its fields go to stderr instead, so nothing is lost.
class JournalLog final : public EventLog {
 public:
  void write(LogLevel level, std::string_view message,
             const std::vector<LogField>& fields = {}) noexcept override;
};

}  // namespace mapperd
