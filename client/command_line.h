#pragma once

#include <functional>
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
};

// The options every verb accepts, before or after the verb.
const std::vector<OptionSpec>& global_option_specs();

struct GlobalOptions {
  bool json = false;
  bool help = false;
  bool version = false;
  bool no_user_interaction = false;
  std::optional<std::string> host;  // -H [USER@]HOST: the system bus of that machine over ssh
};

// A parsed command line: the verb, its options and its positional arguments.
struct CommandLine {
  GlobalOptions global;
  std::string verb;  // as typed (an alias stays an alias), "loop attach"; empty when none given
  std::map<std::string, std::string, std::less<>> options;  // verb options: name -> value
  std::vector<std::string> arguments;

  bool has(std::string_view option) const { return options.contains(option); }
  std::optional<std::string> value(std::string_view option) const;
};

// The options `verb` takes, or nullptr when there is no such verb.
using VerbOptionLookup = std::function<const std::vector<OptionSpec>*(std::string_view verb)>;

// Parses argv (without argv[0]). A verb may have two words ("loop attach"): a word after an
// unknown first word is taken into the verb when the lookup knows the two together. Global
// options may come anywhere; a verb's own options only
// after the verb, so a verb option's value can never be mistaken for the verb. "--" ends the
// options; "-" alone is an argument (standard input). Long options take "--name=value" or
// "--name value"; short ones "-Hhost", "-H host", and flags bundle ("-fd").
// Throws CommandError(Usage) naming the offending word. An unknown verb is left for the caller
// to report, so `mapperctl frobnicate --help` can say "no verb frobnicate".
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const VerbOptionLookup& verb_options);

}  // namespace mapperctl
