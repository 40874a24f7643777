#pragma once
// mapperd's own command line (CLI11): the options of docs/man/mapperd.8, each taking its value
// as "--name value" or "--name=value".

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mapperd {

// What mapperd was asked to do.
struct CommandLine {
  // --bus-address: a bus to serve on instead of the system bus.
  std::optional<std::string> bus_address;
  // --state-directory, --runtime-directory: instead of the unit's directories.
  std::optional<std::string> state_directory;
  std::optional<std::string> runtime_directory;
  // --cow-directory: where COW files mapperd makes for snapshots live.
  std::optional<std::string> cow_directory;
  // --restore: the early-boot step, without the bus.
  bool restore = false;
  // --kernel-timeout: how long a device-mapper call may take (1 s to 1 day).
  std::chrono::seconds kernel_timeout;
  // --fill-interval: how often snapshots that were written are read again (1 s to 1 hour).
  std::chrono::seconds fill_interval{5};
};

// What to print before exiting instead of running: --help and --version (status 0, on stdout),
// or a mistake (status 2, on stderr: "mapperd: <what is wrong>" and where the options are told).
struct CommandLineExit {
  int status = 0;
  std::string standard_output;
  std::string standard_error;
};

// Reads `arguments` (without the program name). Unknown options, positional arguments, a
// missing value, an option given twice, a --kernel-timeout outside 1..86400 and a
// --fill-interval outside 1..3600 are mistakes.
// Never throws.
std::variant<CommandLine, CommandLineExit> parse_command_line(
    const std::vector<std::string>& arguments);

}  // namespace mapperd
