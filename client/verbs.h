#pragma once
// The verbs mapperctl knows, their options and help, and the functions that run them. Each
// function throws CommandError to fail; returning is success.

#include <cstddef>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "invocation.h"

namespace mapperctl {

using VerbFunction = void (*)(Invocation&);

// What a verb's arguments are, for shell completion: files (the default), existing maps, the
// loop devices mapperd attached, or verbs.
enum class ArgumentKind { Files, Maps, Loops, Verbs };

struct VerbSpec {
  std::string_view name;  // one word, or two for a verb in a group ("loop attach")
  std::vector<std::string_view> aliases;
  std::string_view usage;    // after the verb: "NAME [TABLE-FILE]"
  std::string_view summary;  // one line for `mapperctl --help`
  std::string_view details;  // paragraphs for `mapperctl help VERB`
  std::vector<OptionSpec> options;
  std::size_t min_arguments = 0;
  std::size_t max_arguments = 0;  // kAnyNumber: no limit
  VerbFunction run = nullptr;
  ArgumentKind arguments = ArgumentKind::Files;
};

inline constexpr std::size_t kAnyNumber = static_cast<std::size_t>(-1);

// Every verb, in the order `mapperctl --help` lists them.
const std::vector<VerbSpec>& all_verbs();
// The verb called `name` or with `name` as an alias; nullptr when there is none.
const VerbSpec* find_verb(std::string_view name);

// What the command-line parser needs of the verb table (names, aliases, options).
const std::vector<VerbSyntax>& verb_syntax();
// The verbs of the group `group` ("loop": loop attach, loop detach, ...); empty when `group` is
// no group.
std::vector<const VerbSpec*> verbs_in_group(std::string_view group);

// Reading (verbs_inspect.cpp).
void run_ls(Invocation& invocation);
void run_info(Invocation& invocation);
void run_table(Invocation& invocation);
void run_status(Invocation& invocation);
void run_version(Invocation& invocation);
void run_targets(Invocation& invocation);
// Changing one map (verbs_lifecycle.cpp).
void run_create(Invocation& invocation);
void run_remove(Invocation& invocation);
void run_reload(Invocation& invocation);
void run_rename(Invocation& invocation);
void run_suspend(Invocation& invocation);
void run_resume(Invocation& invocation);
void run_message(Invocation& invocation);
void run_snapshot(Invocation& invocation);
// Computing tables from devices (verbs_layout.cpp).
void run_concat(Invocation& invocation);
void run_split(Invocation& invocation);
void run_stripe(Invocation& invocation);
// Loop devices and stored definitions (verbs_loop.cpp).
void run_loop_attach(Invocation& invocation);
void run_loop_detach(Invocation& invocation);
void run_loop_ls(Invocation& invocation);
void run_definitions(Invocation& invocation);
// Snapshot merges and the jobs that follow them (verbs_merge.cpp).
void run_merge(Invocation& invocation);
void run_jobs(Invocation& invocation);
// verb_check.cpp, verb_monitor.cpp, help.cpp.
void run_check(Invocation& invocation);
void run_monitor(Invocation& invocation);
void run_help(Invocation& invocation);

}  // namespace mapperctl
