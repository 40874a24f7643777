#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mapperd {

// syslog priorities, as the journal's PRIORITY= field takes them.
enum class LogLevel { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// A structured field beside the message: MAPPERD_MAP=, MAPPERD_UUID=, MAPPERD_CALLER=, ...
struct LogField {
  std::string name;
  std::string value;
};

// Where the daemon's boundary (the bus layer and main) writes what happened, once per event.
// Library code (model, seams, engine) never logs: it returns or throws, and the boundary logs.
class EventLog {
 public:
  virtual ~EventLog() = default;
  // Never throws.
  virtual void write(LogLevel level, std::string_view message,
                     const std::vector<LogField>& fields = {}) noexcept = 0;
};

}  // namespace mapperd
