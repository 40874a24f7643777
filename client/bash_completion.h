#pragma once

#include <string>

namespace mapperctl {

// The bash completion script for mapperctl, made from the verb table (verbs, their options and
// what their arguments are) so it never lags behind it. Map names and loop devices come from the
// running daemon, through the mapperctl being completed (`ls --no-legend`, `loop ls`). Written
// at build time by mapperctl-bash-completion and installed as
// share/bash-completion/completions/mapperctl.
std::string bash_completion_script();

}  // namespace mapperctl
