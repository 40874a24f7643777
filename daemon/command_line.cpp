#include "command_line.h"

#include <CLI/CLI.hpp>
#include <charconv>

#include "kernel/kernel_thread.h"

namespace mapperd {
namespace {

constexpr unsigned long kMaximumKernelTimeout = 86400;
constexpr unsigned long kMaximumFillInterval = 3600;

constexpr const char* kDescription =
    "The device-mapper daemon: owns the kernel's device-mapper maps and serves them on the D-Bus\n"
    "system bus as org.mapperd.Mapper1. Normally started by systemd (mapperd.service); at boot\n"
    "mapperd-restore.service runs 'mapperd --restore' before local filesystems are mounted.\n"
    "An option's value follows it as the next argument or after '='; mapperd(8) tells more.";

// A CLI11 check for a whole number of seconds from 1 to `maximum`: it answers with the problem,
// or "" when the value is good.
CLI::Validator whole_seconds_up_to(unsigned long maximum) {
  return CLI::Validator(
      [maximum](const std::string& value) -> std::string {
        unsigned long seconds = 0;
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (error != std::errc() || end != value.data() + value.size() || seconds == 0 ||
            seconds > maximum) {
          return "needs a whole number of seconds from 1 to " + std::to_string(maximum) +
                 ", not '" + value + "'";
        }
        return "";
      },
      "");
}

// An option taking a whole number of seconds from 1 to `maximum`.
void add_seconds(CLI::App& app, const std::string& name, std::chrono::seconds& into,
                 unsigned long maximum, const std::string& description) {
  app.add_option_function<std::string>(
         name,
         [&into](const std::string& value) { into = std::chrono::seconds(std::stoul(value)); },
         description)
      ->type_name("SECONDS")
      ->check(whole_seconds_up_to(maximum));
}

void add_directory(CLI::App& app, const std::string& name, std::optional<std::string>& into,
                   const std::string& description) {
  app.add_option_function<std::string>(
         name, [&into](const std::string& value) { into = value; }, description)
      ->type_name("DIR");
}

}  // namespace

std::variant<CommandLine, CommandLineExit> parse_command_line(
    const std::vector<std::string>& arguments) {
  CommandLine line;
  line.kernel_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(KernelThread::kDefaultJobDeadline);

  CLI::App app(kDescription, "mapperd");
  app.set_help_flag("-h,--help", "show this and exit");
  app.set_version_flag("--version", "mapperd " MAPPERD_VERSION, "show the version and exit");
  app.add_option_function<std::string>(
         "--bus-address", [&line](const std::string& value) { line.bus_address = value; },
         "serve on the bus at ADDRESS, not the system bus")
      ->type_name("ADDRESS");
  app.add_flag("--restore", line.restore,
               "the boot step: bind the stored loops, make the stored maps, exit");
  add_directory(app, "--state-directory", line.state_directory,
                "definitions (default $CONFIGURATION_DIRECTORY, else /etc/mapperd)");
  add_directory(app, "--runtime-directory", line.runtime_directory,
                "runtime state (default $RUNTIME_DIRECTORY, else /run/mapperd)");
  add_directory(app, "--cow-directory", line.cow_directory,
                "COW files of snapshots made with a size (default $STATE_DIRECTORY/cow, else "
                "/var/lib/mapperd/cow)");
  add_seconds(app, "--kernel-timeout", line.kernel_timeout, kMaximumKernelTimeout,
              "a device-mapper call fails with TimedOut past this (default 60)");
  add_seconds(app, "--fill-interval", line.fill_interval, kMaximumFillInterval,
              "how often snapshots being written are checked for fill (default 5)");

  // CLI11 takes the arguments last to first.
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return CommandLineExit{0, app.help(), ""};
  } catch (const CLI::CallForVersion& version) {
    return CommandLineExit{0, std::string(version.what()) + "\n", ""};
  } catch (const CLI::ParseError& error) {
    return CommandLineExit{
        2, "",
        std::string("mapperd: ") + error.what() + "\nTry 'mapperd --help' for the options.\n"};
  }
  return line;
}

}  // namespace mapperd
