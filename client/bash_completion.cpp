#include "bash_completion.h"

#include <set>

#include "verbs.h"

namespace mapperctl {
namespace {

std::string option_words(const std::vector<OptionSpec>& options) {
  std::string words;
  for (const OptionSpec& option : options) {
    if (option.short_name != 0)
      words += std::string(" -") + option.short_name;
    words += " --" + std::string(option.name);
    if (!option.other_name.empty())
      words += " --" + std::string(option.other_name);
  }
  return words.empty() ? words : words.substr(1);
}

// The options that take a value: the word after one is not an argument.
std::string value_option_pattern(const std::vector<OptionSpec>& options) {
  std::string pattern;
  for (const OptionSpec& option : options) {
    if (option.value_name.empty() || option.value_name.starts_with("[="))
      continue;
    if (option.short_name != 0)
      pattern += std::string("|-") + option.short_name;
    pattern += "|--" + std::string(option.name);
  }
  return pattern.empty() ? "--never-a-value-option" : pattern.substr(1);
}

std::string_view kind_name(ArgumentKind kind) {
  switch (kind) {
    case ArgumentKind::Maps:
      return "maps";
    case ArgumentKind::Loops:
      return "loops";
    case ArgumentKind::Verbs:
      return "verbs";
    case ArgumentKind::Files:
      break;
  }
  return "files";
}

}  // namespace

std::string bash_completion_script() {
  std::set<std::string> first_words;
  std::string verb_cases;
  for (const VerbSpec& verb : all_verbs()) {
    std::vector<std::string_view> names = {verb.name};
    names.insert(names.end(), verb.aliases.begin(), verb.aliases.end());
    std::string pattern;
    for (std::string_view name : names) {
      first_words.insert(std::string(name.substr(0, name.find(' '))));
      pattern += (pattern.empty() ? "" : "|") + std::string("'") + std::string(name) + "'";
    }
    verb_cases += "    " + pattern + ")\n      options='" + option_words(verb.options) +
                  "'\n      values='" + value_option_pattern(verb.options) + "'\n      kind=" +
                  std::string(verb.max_arguments == 0 ? "none" : kind_name(verb.arguments)) +
                  " ;;\n";
  }
  std::string group_cases;
  for (const std::string& word : first_words) {
    std::string seconds;
    for (const VerbSpec* verb : verbs_in_group(word)) {
      seconds += (seconds.empty() ? "" : " ") + std::string(verb->name.substr(word.size() + 1));
      for (std::string_view alias : verb->aliases)
        seconds += " " + std::string(alias.substr(alias.find(' ') + 1));
    }
    if (!seconds.empty())
      group_cases += "    " + word + ") seconds='" + seconds + "' ;;\n";
  }
  std::string verbs;
  for (const std::string& word : first_words)
    verbs += (verbs.empty() ? "" : " ") + word;

  return "# bash completion for mapperctl, generated from its verb table; do not edit.\n"
         "_mapperctl() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  local mapperctl=${COMP_WORDS[0]} verbs='" +
         verbs +
         "'\n"
         "  local globals='" +
         option_words(global_option_specs()) +
         " --json=short --json=pretty'\n"
         "  local global_values='" +
         value_option_pattern(global_option_specs()) +
         "'\n"
         "  local verb='' seconds='' options='' values='' kind='' i word\n"
         "  # The verb typed so far: the first word that is neither an option nor its value, and "
         "a\n"
         "  # second one after a group (\"loop attach\").\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    word=${COMP_WORDS[i]}\n"
         "    if [[ $word == -* ]]; then\n"
         "      [[ $word =~ ^($global_values|$values)$ ]] && ((i++))\n"
         "      continue\n"
         "    fi\n"
         "    if [[ -z $verb ]]; then\n"
         "      verb=$word\n"
         "    elif [[ -n $seconds && -z $kind ]]; then\n"
         "      verb=\"$verb $word\"\n"
         "    else\n"
         "      continue\n"
         "    fi\n"
         "    seconds=''\n"
         "    case $verb in\n" +
         group_cases +
         "    esac\n"
         "    case $verb in\n" +
         verb_cases +
         "    esac\n"
         "  done\n"
         "  if [[ $prev =~ ^($global_values|$values)$ ]]; then\n"
         "    COMPREPLY=()\n"
         "    return\n"
         "  fi\n"
         "  if [[ $cur == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$globals $options\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  if [[ -z $verb ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  if [[ -n $seconds ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$seconds\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case $kind in\n"
         "    maps) COMPREPLY=($(compgen -W \"$(\"$mapperctl\" ls --no-legend 2>/dev/null | "
         "cut -f1)\" -- \"$cur\")) ;;\n"
         "    loops) COMPREPLY=($(compgen -W \"$(\"$mapperctl\" loop ls --no-legend -o NAME "
         "2>/dev/null)\" -- \"$cur\")) ;;\n"
         "    verbs) COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\")) ;;\n"
         "    files) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
         "    *) COMPREPLY=() ;;\n"
         "  esac\n"
         "}\n"
         "complete -F _mapperctl mapperctl\n";
}

}  // namespace mapperctl
