#include "help.h"

#include <ostream>

#include "exit_status.h"

#ifndef MAPPERCTL_VERSION
#define MAPPERCTL_VERSION "unknown"
#endif

namespace mapperctl {
namespace {

std::string option_label(const OptionSpec& option) {
  std::string label = option.short_name != 0 ? std::string("-") + option.short_name + ", " : "    ";
  label += "--" + std::string(option.name);
  if (!option.other_name.empty())
    label += ", --" + std::string(option.other_name);
  // "--json[=short|pretty]": a value that can only come after an equals sign.
  if (option.value_name.starts_with('['))
    label += std::string(option.value_name);
  else if (!option.value_name.empty())
    label += " " + std::string(option.value_name);
  return label;
}

std::string option_lines(const std::vector<OptionSpec>& options) {
  std::string text;
  for (const OptionSpec& option : options) {
    std::string label = option_label(option);
    label.resize(std::max<std::size_t>(label.size() + 2, 30), ' ');
    text += "  " + label + std::string(option.help) + "\n";
  }
  return text;
}

// Fills `text` to 80 columns. A line that starts with two spaces is an example and stays as
// it is.
std::string wrapped(std::string_view text) {
  constexpr std::size_t kWidth = 80;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("  ")) {
      out += std::string(line) + "\n";
      continue;
    }
    std::size_t column = 0;
    std::size_t word_start = 0;
    while (word_start < line.size()) {
      std::size_t word_end = line.find(' ', word_start);
      if (word_end == std::string_view::npos)
        word_end = line.size();
      const std::string_view word = line.substr(word_start, word_end - word_start);
      word_start = word_end + 1;
      if (word.empty())
        continue;
      if (column > 0 && column + 1 + word.size() > kWidth) {
        out += "\n";
        column = 0;
      }
      if (column > 0) {
        out += ' ';
        ++column;
      }
      out += word;
      column += word.size();
    }
    out += "\n";
  }
  return out;
}

std::string usage_line(const VerbSpec& verb) {
  std::string line = "mapperctl [OPTIONS] " + std::string(verb.name);
  if (!verb.usage.empty())
    line += " " + std::string(verb.usage);
  return line;
}

// "attach" of "loop attach".
std::string_view second_word(const VerbSpec& verb) {
  return verb.name.substr(verb.name.find(' ') + 1);
}

// "  loop ls, list  list mapperd's loop devices": a two-word verb's aliases by their second word.
std::string verb_list_line(const VerbSpec& verb) {
  std::string name = std::string(verb.name);
  for (std::string_view alias : verb.aliases) {
    const std::size_t space = alias.find(' ');
    name += ", " + std::string(space == std::string_view::npos ? alias : alias.substr(space + 1));
  }
  name.resize(std::max<std::size_t>(name.size() + 2, 16), ' ');
  return "  " + name + std::string(verb.summary) + "\n";
}

}  // namespace

std::string overview_help() {
  std::string text =
      "Usage: mapperctl [OPTIONS] VERB [ARGUMENTS]\n"
      "\n"
      "Creates, inspects and removes device-mapper maps through mapperd, the device-mapper\n"
      "daemon on the system bus. Sizes and offsets are 512-byte sectors.\n"
      "\n"
      "Verbs:\n";
  for (const VerbSpec& verb : all_verbs())
    text += verb_list_line(verb);
  text += "\nOptions (before or after the verb):\n" + option_lines(global_option_specs());
  text +=
      "\n"
      "Exit status: 0 ok, 1 failed, 2 usage, 3 not found, 4 permission denied, 5 mapperd\n"
      "unreachable, 6 invalid table/name/argument, 7 already exists, 8 busy, 9 device missing,\n"
      "10 not owned by mapperd, 11 timed out.\n"
      "\n"
      "See 'mapperctl help VERB' and mapperctl(1).\n";
  return text;
}

std::string verb_help(const VerbSpec& verb) {
  std::string text = "Usage: " + usage_line(verb) + "\n\n" + wrapped(verb.details);
  if (!verb.aliases.empty()) {
    text += "\nAlso called:";
    for (std::string_view alias : verb.aliases)
      text += " " + std::string(alias);
    text += "\n";
  }
  if (!verb.options.empty())
    text += "\nOptions:\n" + option_lines(verb.options);
  text += "\nGlobal options:\n" + option_lines(global_option_specs());
  return text;
}

std::string group_help(std::string_view group) {
  std::string text = "Usage: mapperctl [OPTIONS] " + std::string(group) + " VERB [ARGUMENTS]\n\n";
  for (const VerbSpec* verb : verbs_in_group(group))
    text += verb_list_line(*verb);
  text += "\nSee 'mapperctl help " + std::string(group) + " VERB'.\n";
  return text;
}

std::string group_problem(std::string_view group, const std::vector<std::string>& arguments) {
  std::string verbs;
  for (const VerbSpec* verb : verbs_in_group(group))
    verbs += (verbs.empty() ? "" : ", ") + std::string(second_word(*verb));
  if (arguments.empty())
    return std::string(group) + " needs a verb: " + verbs + " (see mapperctl help " +
           std::string(group) + ")";
  return "no verb '" + std::string(group) + " " + arguments.front() + "' (" + std::string(group) +
         " has " + verbs + ")";
}

std::string version_text() {
  return "mapperctl " MAPPERCTL_VERSION "\n";
}

void run_help(Invocation& invocation) {
  if (invocation.argument_count() == 0) {
    invocation.out() << overview_help();
    return;
  }
  // "help loop attach": the words of a two-word verb as separate arguments.
  std::string name;
  for (const std::string& word : invocation.command().arguments)
    name += (name.empty() ? "" : " ") + word;
  if (const VerbSpec* verb = find_verb(name)) {
    invocation.out() << verb_help(*verb);
    return;
  }
  if (invocation.argument_count() == 1 && !verbs_in_group(name).empty()) {
    invocation.out() << group_help(name);
    return;
  }
  throw usage_error("no verb '" + name + "' (see mapperctl --help)");
}

}  // namespace mapperctl
