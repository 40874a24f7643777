#pragma once

#include <sys/types.h>

#include <iosfwd>
#include <string>
#include <vector>

#include "mapper_service.h"

namespace mapperctl {

// What mapperctl reads and writes, and what it knows about its terminal.
struct Console {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool stdin_is_terminal = false;
  bool stderr_is_terminal = false;
  // Who runs mapperctl (geteuid()): root needs no polkit agent.
  uid_t uid = 0;
};

// Runs one mapperctl command line (argv without argv[0]) and returns its exit status. Every
// failure ends here: printed on `err` as "mapperctl: SUBJECT: REASON", one line per reason.
int run_mapperctl(const std::vector<std::string>& args, Console console,
                  const MapperServiceFactory& connect);

}  // namespace mapperctl
