#include "command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <list>

#include "exit_status.h"

namespace mapperctl {
namespace {

// CLI11's spelling of an option's names: "-r,--readonly,--read-only".
std::string cli_names(const OptionSpec& spec) {
  std::string names;
  if (spec.short_name != 0)
    names = std::string("-") + spec.short_name + ",";
  names += "--" + std::string(spec.name);
  if (!spec.other_name.empty())
    names += ",--" + std::string(spec.other_name);
  return names;
}

// One verb as CLI11 sees it: its subcommand, where its arguments go, and its options.
struct VerbParser {
  std::string name;
  CLI::App* app = nullptr;
  std::vector<std::pair<const OptionSpec*, CLI::Option*>> options;
};

class Parser {
 public:
  explicit Parser(const std::vector<VerbSyntax>& verbs) {
    app_.set_help_flag();  // mapperctl's own help (help.cpp), from the same verb table
    app_.require_subcommand(0, 1);
    add_global_options();
    for (const VerbSyntax& verb : verbs)
      add_verb(verb);
  }

  CommandLine parse(const std::vector<std::string>& args) {
    // CLI11 takes the words last first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app_.parse(reversed);
    } catch (const CLI::ParseError& error) {
      return on_error(error, args);
    }
    return collect();
  }

 private:
  void add_global_options() {
    // --json and -j alone are "short"; --json=pretty indents (a flag: "-j ls" is never -j=ls).
    app_.add_flag("-j{short},--json{short}", json_, "")->check(CLI::IsMember({"short", "pretty"}));
    app_.add_option("-H,--host", host_)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app_.add_flag("--no-user-interaction,--no-ask-password", result_.global.no_user_interaction);
    app_.add_flag("--no-legend", result_.global.no_legend);
    app_.add_flag("--no-pager", result_.global.no_pager);
    app_.add_flag("-h,--help", result_.global.help);
    app_.add_flag("--version", result_.global.version);
  }

  CLI::App* group(std::string_view name) {
    for (CLI::App* sub : app_.get_subcommands({})) {
      if (sub->get_name() == name)
        return sub;
    }
    CLI::App* sub = app_.add_subcommand(std::string(name));
    sub->fallthrough();
    sub->require_subcommand(0, 1);
    groups_.push_back(sub);
    return sub;
  }

  void add_verb(const VerbSyntax& verb) {
    const std::size_t space = verb.name.find(' ');
    CLI::App* parent = &app_;
    std::string word(verb.name);
    if (space != std::string_view::npos) {
      parent = group(verb.name.substr(0, space));
      word = std::string(verb.name.substr(space + 1));
    }
    VerbParser& parser = verbs_.emplace_back();
    parser.name = std::string(verb.name);
    parser.app = parent->add_subcommand(word);
    // Global options after the verb are the parent's to take.
    parser.app->fallthrough();
    for (std::string_view alias : verb.aliases) {
      const std::size_t alias_space = alias.find(' ');
      parser.app->alias(std::string(
          alias_space == std::string_view::npos ? alias : alias.substr(alias_space + 1)));
    }
    parser.app->add_option("arguments", arguments_.emplace_back());
    if (verb.options == nullptr)
      return;
    for (const OptionSpec& spec : *verb.options) {
      CLI::Option* option = nullptr;
      if (spec.value_name.empty()) {
        option = parser.app->add_flag(cli_names(spec))->disable_flag_override();
      } else {
        option = parser.app->add_option(cli_names(spec))
                     ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
      }
      parser.options.emplace_back(&spec, option);
    }
  }

  // The verb CLI11 ran into, or nullptr when none.
  const VerbParser* parsed_verb(std::vector<std::string>** arguments) {
    auto argument = arguments_.begin();
    for (const VerbParser& verb : verbs_) {
      if (verb.app->parsed()) {
        *arguments = &*argument;
        return &verb;
      }
      ++argument;
    }
    return nullptr;
  }

  CLI::App* parsed_group() const {
    for (CLI::App* sub : groups_) {
      if (sub->parsed())
        return sub;
    }
    return nullptr;
  }

  void collect_globals() {
    if (json_ == "short")
      result_.global.json = JsonMode::Short;
    else if (json_ == "pretty")
      result_.global.json = JsonMode::Pretty;
    if (!host_.empty())
      result_.global.host = host_;
  }

  CommandLine collect() {
    collect_globals();
    std::vector<std::string>* arguments = nullptr;
    if (const VerbParser* verb = parsed_verb(&arguments)) {
      result_.verb = verb->name;
      result_.arguments = *arguments;
      for (const auto& [spec, option] : verb->options) {
        if (option->count() == 0)
          continue;
        result_.options[std::string(spec->name)] =
            spec->value_name.empty() ? std::string() : option->results().back();
      }
    } else if (CLI::App* group = parsed_group()) {
      // "loop" alone: the caller lists the group's verbs (or shows its help).
      result_.verb = group->get_name();
    }
    if (result_.global.host && result_.global.host->empty())
      throw usage_error("option --host needs a [USER@]HOST");
    return std::move(result_);
  }

  CommandLine on_error(const CLI::ParseError& error, const std::vector<std::string>& args) {
    std::vector<std::string> extras = app_.remaining(true);
    std::vector<std::string>* arguments = nullptr;
    const VerbParser* verb = parsed_verb(&arguments);
    const bool extra_error = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
    if (!extra_error || extras.empty()) {
      const std::string where =
          verb != nullptr ? "see mapperctl help " + verb->name : "see mapperctl --help";
      throw usage_error(std::string(error.what()) + " (" + where + ")");
    }
    const std::string& first = extras.front();
    const bool is_option = first.size() > 1 && first.starts_with('-');
    if (is_option && verb != nullptr && !before_the_verb(args, first))
      throw usage_error("unknown option " + first + " (see mapperctl help " + verb->name + ")");
    if (is_option) {
      throw usage_error("unknown option " + first +
                        " (a verb's own options go after the verb; see mapperctl --help)");
    }
    if (CLI::App* group = parsed_group()) {
      // "loop frob": the caller says which verbs the group has.
      collect_globals();
      result_.verb = group->get_name();
      result_.arguments.clear();
      std::copy_if(extras.begin(), extras.end(), std::back_inserter(result_.arguments),
                   [](const std::string& word) { return !word.starts_with('-'); });
      return std::move(result_);
    }
    if (verb != nullptr)
      throw usage_error("unexpected argument " + first + " (see mapperctl help " + verb->name +
                        ")");
    throw usage_error("no verb '" + first + "' (see mapperctl --help)");
  }

  // Whether `word` comes before the first word naming a verb or group: CLI11 collects unknown
  // options of every level in one list, and only the position tells whose they were.
  bool before_the_verb(const std::vector<std::string>& args, const std::string& word) {
    for (const std::string& arg : args) {
      if (arg == word)
        return true;
      for (const CLI::App* sub : app_.get_subcommands({})) {
        if (sub->check_name(arg))
          return false;
      }
    }
    return false;
  }

  CLI::App app_{"mapperctl"};
  std::string json_;
  std::string host_;
  std::list<VerbParser> verbs_;
  std::list<std::vector<std::string>> arguments_;  // one per verb, in the order of verbs_
  std::vector<CLI::App*> groups_;
  CommandLine result_;
};

}  // namespace

const std::vector<OptionSpec>& global_option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"json", 'j', "[=short|pretty]",
       "print JSON (every verb): one line, or indented with --json=pretty"},
      {"host", 'H', "[USER@]HOST", "talk to mapperd on HOST's system bus, over ssh"},
      {"no-ask-password",
       0,
       {},
       "never ask for authentication; fail instead",
       "no-user-interaction"},
      {"no-legend", 0, {}, "print no column headers and no \"nothing found\" line"},
      {"no-pager", 0, {}, "accepted as systemd's tools accept it; mapperctl never pages"},
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
                               const std::vector<VerbSyntax>& verbs) {
  return Parser(verbs).parse(args);
}

}  // namespace mapperctl
