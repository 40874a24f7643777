#include "command_line.h"

#include "exit_status.h"

namespace mapperctl {
namespace {

const OptionSpec* find_long(const std::vector<const OptionSpec*>& specs, std::string_view name) {
  for (const OptionSpec* spec : specs) {
    if (spec->name == name)
      return spec;
  }
  return nullptr;
}

const OptionSpec* find_short(const std::vector<const OptionSpec*>& specs, char name) {
  for (const OptionSpec* spec : specs) {
    if (spec->short_name != 0 && spec->short_name == name)
      return spec;
  }
  return nullptr;
}

bool is_global(const OptionSpec* spec) {
  const auto& globals = global_option_specs();
  return spec >= globals.data() && spec < globals.data() + globals.size();
}

void apply_global(GlobalOptions& global, const OptionSpec& spec, const std::string& value) {
  if (spec.name == "json") {
    global.json = true;
  } else if (spec.name == "help") {
    global.help = true;
  } else if (spec.name == "version") {
    global.version = true;
  } else if (spec.name == "no-user-interaction") {
    global.no_user_interaction = true;
  } else if (spec.name == "host") {
    if (value.empty())
      throw usage_error("option --host needs a [USER@]HOST");
    global.host = value;
  }
}

class Parser {
 public:
  Parser(const std::vector<std::string>& args, const VerbOptionLookup& verb_options)
      : args_(args), verb_options_(verb_options) {
    for (const OptionSpec& spec : global_option_specs())
      specs_.push_back(&spec);
  }

  CommandLine parse() {
    bool options_ended = false;
    for (index_ = 0; index_ < args_.size(); ++index_) {
      const std::string& arg = args_[index_];
      if (options_ended || arg == "-" || !arg.starts_with('-')) {
        take_word(arg);
      } else if (arg == "--") {
        options_ended = true;
      } else if (arg.starts_with("--")) {
        take_long(arg.substr(2));
      } else {
        take_shorts(arg.substr(1));
      }
    }
    return std::move(result_);
  }

 private:
  void take_word(const std::string& word) {
    if (result_.verb.empty()) {
      result_.verb = word;
      // An unknown verb keeps only the global options, and the caller reports it.
      add_verb_options(word);
      return;
    }
    // A verb of two words ("loop attach"): the second follows the first before any argument.
    const std::string two_words = result_.verb + " " + word;
    if (result_.arguments.empty() && !verb_known_ && verb_options_(two_words) != nullptr) {
      result_.verb = two_words;
      add_verb_options(two_words);
      return;
    }
    result_.arguments.push_back(word);
  }

  void add_verb_options(const std::string& verb) {
    const std::vector<OptionSpec>* verb_specs = verb_options_(verb);
    if (verb_specs == nullptr)
      return;
    verb_known_ = true;
    for (const OptionSpec& spec : *verb_specs)
      specs_.push_back(&spec);
  }

  void take_long(const std::string& text) {
    const std::size_t equals = text.find('=');
    const std::string name = text.substr(0, equals);
    const OptionSpec* spec = find_long(specs_, name);
    if (spec == nullptr)
      throw unknown_option("--" + name);
    std::string value;
    if (spec->value_name.empty()) {
      if (equals != std::string::npos) {
        throw usage_error("option --" + name + " takes no value");
      }
    } else if (equals != std::string::npos) {
      value = text.substr(equals + 1);
    } else {
      value = next_value("--" + name);
    }
    record(*spec, value);
  }

  void take_shorts(const std::string& letters) {
    for (std::size_t i = 0; i < letters.size(); ++i) {
      const OptionSpec* spec = find_short(specs_, letters[i]);
      if (spec == nullptr)
        throw unknown_option(std::string("-") + letters[i]);
      if (spec->value_name.empty()) {
        record(*spec, {});
        continue;
      }
      // "-Hhost" or "-H host": the rest of the word, else the next one, is the value.
      const std::string rest = letters.substr(i + 1);
      record(*spec, rest.empty() ? next_value(std::string("-") + letters[i]) : rest);
      return;
    }
  }

  std::string next_value(const std::string& option) {
    if (index_ + 1 >= args_.size()) {
      throw usage_error("option " + option + " needs a value");
    }
    return args_[++index_];
  }

  void record(const OptionSpec& spec, const std::string& value) {
    if (is_global(&spec)) {
      apply_global(result_.global, spec, value);
    } else {
      result_.options[std::string(spec.name)] = value;
    }
  }

  CommandError unknown_option(const std::string& option) const {
    if (result_.verb.empty()) {
      return usage_error("unknown option " + option +
                         " (a verb's own options go after the verb; see mapperctl --help)");
    }
    return usage_error("unknown option " + option + " (see mapperctl help " + result_.verb + ")");
  }

  const std::vector<std::string>& args_;
  const VerbOptionLookup& verb_options_;
  std::vector<const OptionSpec*> specs_;
  std::size_t index_ = 0;
  // Whether the verb so far is a whole verb (not the first word of a two-word one).
  bool verb_known_ = false;
  CommandLine result_;
};

}  // namespace

const std::vector<OptionSpec>& global_option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"json", 'j', {}, "print machine-readable JSON (every verb that prints something)"},
      {"host", 'H', "[USER@]HOST", "talk to mapperd on HOST's system bus, over ssh"},
      {"no-user-interaction", 0, {}, "never ask for authentication; fail instead"},
      {"help", 'h', {}, "show help (for the verb, when one is given) and exit"},
      {"version", 0, {}, "show mapperctl's version and exit"},
  };
  return specs;
}

std::optional<std::string> CommandLine::value(std::string_view option) const {
  const auto it = options.find(option);
  if (it == options.end())
    return std::nullopt;
  return it->second;
}

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const VerbOptionLookup& verb_options) {
  return Parser(args, verb_options).parse();
}

}  // namespace mapperctl
