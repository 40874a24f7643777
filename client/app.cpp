#include "app.h"

#include <exception>
#include <ostream>

#include "exit_status.h"
#include "help.h"
#include "json_output.h"
#include "polkit_agent.h"
#include "verbs.h"

namespace mapperctl {
namespace {

// Whether the words ask for JSON, for an error found before the parser could say so.
bool json_requested(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--")
      return false;
    if (arg == "-j" || arg == "--json" || arg.starts_with("--json="))
      return true;
  }
  return false;
}

void check_argument_count(const VerbSpec& verb, const CommandLine& command) {
  const std::size_t count = command.arguments.size();
  if (count >= verb.min_arguments && count <= verb.max_arguments)
    return;
  const std::string problem =
      count < verb.min_arguments ? "missing arguments" : "too many arguments";
  const std::string usage = verb.usage.empty() ? " (no arguments)" : " " + std::string(verb.usage);
  throw usage_error(problem + "; usage: mapperctl " + std::string(verb.name) + usage);
}

// Interactive authorization (a polkit agent asking for a password) is allowed unless
// --no-user-interaction says no, or nobody could answer: neither stdin nor stderr is a
// terminal, as under cron or a systemd service. Where a password can be typed on stdin, a
// pkttyagent of our own answers when the session has no agent (PolkitAgent::wanted()).
ConnectionOptions connection_options(const GlobalOptions& global, const Console& console) {
  ConnectionOptions options;
  options.host = global.host;
  options.allow_interactive_authorization =
      !global.no_user_interaction && (console.stdin_is_terminal || console.stderr_is_terminal);
  options.start_polkit_agent =
      PolkitAgent::wanted(options.allow_interactive_authorization, console.stdin_is_terminal,
                          options.host.has_value(), console.uid);
  return options;
}

// Prints `message` line by line with the prefix. A daemon message that already begins with the
// subject ("create twoasone: ...") does not get it twice.
void print_error(std::ostream& err, const std::string& subject, const CommandError& error) {
  std::string message = error.what();
  if (message.empty())
    return;
  std::string prefix = "mapperctl: ";
  if (!subject.empty())
    prefix += subject + ": ";
  // Exit status 1 covers several kinds; the kind is the only way to tell them apart.
  const std::string kind_prefix =
      error.status() == ExitStatus::Failed && !error.kind().empty() ? error.kind() + ": " : "";
  std::size_t start = 0;
  while (start <= message.size()) {
    std::size_t end = message.find('\n', start);
    if (end == std::string::npos)
      end = message.size();
    std::string line = message.substr(start, end - start);
    if (!subject.empty() && line.starts_with(subject + ": "))
      line.erase(0, subject.size() + 2);
    if (!line.empty())
      err << prefix << kind_prefix << line << '\n';
    start = end + 1;
  }
}

// With --json an error is one JSON object on stderr (docs/mapperctl.md, ERRORS IN JSON): what
// failed, the D-Bus error name (null when mapperctl found the error itself), the message and
// the exit status, so a script needs no text parsing to tell a Busy from a NotFound.
void print_json_error(std::ostream& err, const std::string& subject, const CommandError& error) {
  if (std::string(error.what()).empty())
    return;  // `check`: the problems are the output already
  const std::string name = error.dbus_name();
  const Json object = {
      {"error", name.empty() ? Json() : Json(name)},
      {"message", error.what()},
      {"exit_status", to_int(error.status())},
      {"subject", subject},
  };
  err << json_text(object, JsonMode::Short) << '\n';
}

}  // namespace

int run_mapperctl(const std::vector<std::string>& args, Console console,
                  const MapperServiceFactory& connect) {
  std::string subject;
  bool json = json_requested(args);
  const auto report = [&](const CommandError& error) {
    if (json)
      print_json_error(console.err, subject, error);
    else
      print_error(console.err, subject, error);
  };
  try {
    const CommandLine command = parse_command_line(args, verb_syntax());
    json = command.global.json != JsonMode::Off;
    if (command.global.version) {
      console.out << version_text();
      return to_int(ExitStatus::Ok);
    }
    if (command.verb.empty()) {
      if (command.global.help) {
        console.out << overview_help();
        return to_int(ExitStatus::Ok);
      }
      throw usage_error("no verb given (see mapperctl --help)");
    }
    const VerbSpec* verb = find_verb(command.verb);
    if (verb == nullptr && !verbs_in_group(command.verb).empty()) {
      // The first word of a two-word verb ("loop") alone, or with an unknown second word.
      if (command.global.help) {
        console.out << group_help(command.verb);
        return to_int(ExitStatus::Ok);
      }
      throw usage_error(group_problem(command.verb, command.arguments));
    }
    if (verb == nullptr) {
      throw usage_error("no verb '" + command.verb + "' (see mapperctl --help)");
    }
    subject = verb->name;
    if (command.global.help) {
      console.out << verb_help(*verb);
      return to_int(ExitStatus::Ok);
    }
    check_argument_count(*verb, command);
    Invocation invocation(command, console.in, console.out, console.err, connect,
                          connection_options(command.global, console), console.stdin_is_terminal);
    invocation.set_subject(subject);
    try {
      verb->run(invocation);
    } catch (...) {
      subject = invocation.subject();
      throw;
    }
    console.out.flush();
    return to_int(ExitStatus::Ok);
  } catch (const CommandError& error) {
    console.out.flush();
    report(error);
    return to_int(error.status());
  } catch (const std::exception& error) {
    // A bug or an exhausted resource: still one line and a status, never an abort.
    console.out.flush();
    report(CommandError(ExitStatus::Failed, error.what()));
    return to_int(ExitStatus::Failed);
  }
}

}  // namespace mapperctl
