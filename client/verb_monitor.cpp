// `monitor`: mapperd's signals as lines, until interrupted.
#include <algorithm>
#include <iostream>

#include "map_output.h"
#include "verbs.h"

namespace mapperctl {

void run_monitor(Invocation& invocation) {
  const std::vector<std::string>& names = invocation.command().arguments;
  const auto wanted = [&](const MapEvent& event) {
    if (names.empty() || event.name.empty())
      return true;
    return std::find(names.begin(), names.end(), event.name) != names.end();
  };
  invocation.mapperd().watch(
      [&] {
        // On stderr, so stdout carries only events; scripts and tests wait for this line.
        std::cerr << "Watching mapperd for changes; press Ctrl-C to stop." << std::endl;
      },
      [&](const MapEvent& event) {
        if (!wanted(event))
          return;
        // Flushed per line: whoever reads a pipe sees each change when it happens.
        if (invocation.json()) {
          invocation.print_json(event_json(event));
          invocation.out().flush();
        } else {
          invocation.out() << format_event(event) << std::endl;
        }
      });
}

}  // namespace mapperctl
