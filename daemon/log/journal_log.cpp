#include "journal_log.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <string>

namespace mapperd {

void JournalLog::write(LogLevel level, std::string_view message,
                       const std::vector<LogField>& fields) noexcept {
  try {
    std::vector<std::string> entries;
    entries.push_back("MESSAGE=" + std::string(message));
    entries.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
    entries.push_back("SYSLOG_IDENTIFIER=mapperd");
    for (const LogField& field : fields)
      entries.push_back(field.name + "=" + field.value);
    std::vector<iovec> vectors;
    for (std::string& entry : entries)
      vectors.push_back(iovec{entry.data(), entry.size()});
    if (sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())) >= 0)
      return;

    std::string line = "mapperd: " + std::string(message);
    for (const LogField& field : fields)
      line += " " + field.name + "=" + field.value;
    std::fprintf(stderr, "%s\n", line.c_str());
  } catch (...) {
    // Out of memory while logging: there is nowhere left to say so.
  }
}

}  // namespace mapperd
