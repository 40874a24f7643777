#include "shutdown_inhibitor.h"

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>

namespace mapperd::bus {

void ShutdownInhibitor::hold(std::uint32_t job, const std::string& why) {
  try {
    auto logind =
        sdbus::createProxy(connection_, "org.freedesktop.login1", "/org/freedesktop/login1");
    sdbus::UnixFd fd;
    logind->callMethod("Inhibit")
        .onInterface("org.freedesktop.login1.Manager")
        .withTimeout(std::chrono::seconds(2))
        .withArguments(std::string("shutdown:sleep"), std::string("mapperd"), why,
                       std::string("block"))
        .storeResultsTo(fd);
    held_[job] = std::move(fd);
    log_.write(LogLevel::Info, "holding a shutdown:sleep inhibitor while " + why, {});
  } catch (const sdbus::Error& e) {
    log_.write(LogLevel::Warning,
               "logind refused a shutdown:sleep inhibitor while " + why + " (" + e.getName() +
                   ": " + e.getMessage() + "); the merge runs on",
               {});
  }
}

}  // namespace mapperd::bus
