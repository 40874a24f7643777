#pragma once

#include <string>

#include "verbs.h"

namespace mapperctl {

// `mapperctl --help`: what mapperctl is, every verb with its summary, the global options.
std::string overview_help();
// `mapperctl help VERB` and `mapperctl VERB --help`.
std::string verb_help(const VerbSpec& verb);
// `mapperctl --version`.
std::string version_text();

}  // namespace mapperctl
