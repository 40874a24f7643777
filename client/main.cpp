// mapperctl: the command-line client of mapperd. Wires the real console and the D-Bus
// connection to run_mapperctl(); everything else is in the library the tests link.
#include <unistd.h>

#include <iostream>

#include "app.h"
#include "bus_mapper_service.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  mapperctl::Console console{std::cin, std::cout, std::cerr, ::isatty(STDIN_FILENO) == 1,
                             ::isatty(STDERR_FILENO) == 1, ::geteuid()};
  return mapperctl::run_mapperctl(args, console, mapperctl::connect_to_mapperd);
}
