#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace mapperctl {

// mapperctl's exit statuses, the contract scripts rely on (mapperctl(1), EXIT STATUS). Each
// daemon error kind a script may want to react to has its own status; everything else is 1.
enum class ExitStatus : int {
  Ok = 0,
  Failed = 1,         // the operation failed: Kernel, Store, Failed, or an unexpected error
  Usage = 2,          // the command line is wrong; nothing was sent to the daemon
  NotFound = 3,       // no such map
  AccessDenied = 4,   // the daemon or polkit refused the caller
  Unreachable = 5,    // no bus, or nobody owns org.mapperd.Mapper1
  Invalid = 6,        // a table, name or argument was refused (and `check` found problems)
  AlreadyExists = 7,  // a map of that name exists
  Busy = 8,           // the map is open, or is an origin with snapshots
  DeviceMissing = 9,  // a table names a block device that does not exist
  NotOwned = 10,      // the map belongs to another tool (LVM, cryptsetup, ...)
  TimedOut = 11,      // no answer in time; the change may or may not have happened
};

constexpr int to_int(ExitStatus status) {
  return static_cast<int>(status);
}

// The exit status for a D-Bus error name: org.mapperd.Mapper1.Error.* and the
// org.freedesktop.DBus.Error.* names a call can end in. Unknown names are Failed.
ExitStatus exit_status_for_dbus_error(std::string_view error_name);

// The one exception a verb throws to end the command unsuccessfully. `what()` is the message
// without the "mapperctl: VERB NAME:" prefix, which the top level adds; it may hold several
// lines (one per table problem), each printed with the prefix.
class CommandError : public std::runtime_error {
 public:
  CommandError(ExitStatus status, const std::string& message, std::string kind = {},
               std::string dbus_name = {})
      : std::runtime_error(message),
        status_(status),
        kind_(std::move(kind)),
        dbus_name_(std::move(dbus_name)) {}

  ExitStatus status() const noexcept { return status_; }
  // The daemon's error kind ("Kernel", "Busy", ...) when the daemon reported it, or the kind
  // mapperctl found itself before asking ("InvalidName"); else empty.
  const std::string& kind() const noexcept { return kind_; }
  // The D-Bus error name the call ended in; for an error mapperctl found itself, the name
  // mapperd would have answered (org.mapperd.Mapper1.Error.KIND); empty when there is none (a
  // usage error, a file that cannot be read).
  std::string dbus_name() const;

 private:
  ExitStatus status_;
  std::string kind_;
  std::string dbus_name_;
};

// A command line mapperctl cannot run: exit status 2.
inline CommandError usage_error(const std::string& message) {
  return CommandError(ExitStatus::Usage, message);
}

}  // namespace mapperctl
