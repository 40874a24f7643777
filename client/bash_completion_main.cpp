// Writes mapperctl's bash completion script (bash_completion.h) to standard output; the build
// runs it, so the installed script always matches the verb table.
#include <iostream>

#include "bash_completion.h"

int main() {
  std::cout << mapperctl::bash_completion_script();
  return std::cout.good() ? 0 : 1;
}
