#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapperctl {

// One option a verb (or mapperctl as a whole) accepts.
struct OptionSpec {
  std::string_view name;        // the long name without dashes: "chunk-size"
  char short_name = 0;          // 0 when there is none
  std::string_view value_name;  // empty for a flag; "SECTORS" for an option that takes a value
  std::string_view help;
  // A second long name meaning the same ("read-only" for "readonly"); recorded under `name`.
  std::string_view other_name = {};
};

// The options every verb accepts, before or after the verb.
const std::vector<OptionSpec>& global_option_specs();

// --json's forms, as systemd's tools spell them: --json (or -j) is short, --json=pretty indents.
enum class JsonMode { Off, Short, Pretty };

struct GlobalOptions {
  JsonMode json = JsonMode::Off;
  bool help = false;
  bool version = false;
  bool no_user_interaction = false;  // also spelt --no-ask-password
  bool no_legend = false;            // no column headers, no "nothing found" sentence
  bool no_pager = false;             // accepted for systemd's habits; mapperctl never pages
  std::optional<std::string> host;   // -H [USER@]HOST: the system bus of that machine over ssh
};

// A parsed command line: the verb, its options and its positional arguments.
struct CommandLine {
  GlobalOptions global;
  std::string verb;  // the verb's own name ("ls" for "list"), "loop attach"; empty when none
  std::map<std::string, std::string, std::less<>> options;  // verb options: name -> value
  std::vector<std::string> arguments;

  bool has(std::string_view option) const { return options.contains(option); }
  std::optional<std::string> value(std::string_view option) const;
};

// What the parser needs to know of a verb. A two-word verb ("loop attach") is the subcommand
// "attach" of the group "loop"; an alias of it is named by both words too ("loop list").
struct VerbSyntax {
  std::string_view name;
  std::vector<std::string_view> aliases;
  const std::vector<OptionSpec>* options = nullptr;
};

// Parses argv (without argv[0]) with CLI11. Global options may come anywhere; a verb's own
// options only after the verb, so a verb option's value can never be mistaken for the verb. "--"
// ends the options; "-" alone is an argument (standard input). Long options take
// "--name=value" or "--name value"; short ones "-Hhost", "-H host", and flags bundle ("-fd").
// Throws CommandError(Usage) naming the offending word: an unknown verb, an unknown option, a
// missing value, a group ("loop") without one of its verbs.
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const std::vector<VerbSyntax>& verbs);

}  // namespace mapperctl
