#pragma once

#include "exit_status.h"

namespace mapperctl {

// The exit status `action` ends mapperctl with: a CommandError's, or Ok when nothing is thrown.
ExitStatus status_of(const auto& action) {
  try {
    action();
  } catch (const CommandError& error) {
    return error.status();
  }
  return ExitStatus::Ok;
}

}  // namespace mapperctl
