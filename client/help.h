#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verbs.h"

namespace mapperctl {

// `mapperctl --help`: what mapperctl is, every verb with its summary, the global options.
std::string overview_help();
// `mapperctl help VERB` and `mapperctl VERB --help`.
std::string verb_help(const VerbSpec& verb);
// `mapperctl help GROUP` and `mapperctl GROUP --help` for a group of verbs ("loop"): its verbs.
std::string group_help(std::string_view group);
// What is wrong with a command line naming the group `group` without one of its verbs:
// "loop needs a verb: attach, detach, ls", or "no verb 'loop frob' (...)".
std::string group_problem(std::string_view group, const std::vector<std::string>& arguments);
// `mapperctl --version`.
std::string version_text();

}  // namespace mapperctl
