// Calls mapperd on the bus at ADDRESS as the user UID (and its group of the same number), for the
// bus tests of what depends on who calls: the tests run as root and this takes another user's
// place. (busctl prints any AccessDenied as "Access denied", hiding the message under test.)
//
//   bus-call-as-user UID ADDRESS FILE
//     AttachLoopFile(FILE, {}); prints the object path, or the error as "NAME: MESSAGE" (exit 1).
//   bus-call-as-user UID ADDRESS --status MAP-PATH COUNT
//     COUNT GetStatus calls on MAP-PATH at once, on one connection; prints one line per reply as
//     it comes, "ok" or "NAME: MESSAGE", and exits once every call is answered.
#include <grp.h>
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

int attach_loop_file(sdbus::IConnection& connection, const std::string& file) {
  auto manager = sdbus::createProxy(connection, "org.mapperd.Mapper1", "/org/mapperd/Mapper1");
  sdbus::ObjectPath loop;
  manager->callMethod("AttachLoopFile")
      .onInterface("org.mapperd.Mapper1.Manager")
      .withArguments(file, std::map<std::string, sdbus::Variant>{})
      .storeResultsTo(loop);
  std::cout << loop << "\n";
  return 0;
}

int status_burst(sdbus::IConnection& connection, const std::string& map_path, int count) {
  auto map = sdbus::createProxy(connection, "org.mapperd.Mapper1", map_path);
  std::mutex mutex;
  std::condition_variable answered;
  int replies = 0;
  std::vector<sdbus::PendingAsyncCall> calls;
  for (int i = 0; i < count; ++i) {
    calls.push_back(map->callMethodAsync("GetStatus")
                        .onInterface("org.mapperd.Mapper1.Map")
                        .uponReplyInvoke([&](const sdbus::Error* error, const std::string&) {
                          std::lock_guard lock(mutex);
                          if (error == nullptr)
                            std::cout << "ok" << std::endl;
                          else
                            std::cout << error->getName() << ": " << error->getMessage()
                                      << std::endl;
                          ++replies;
                          answered.notify_one();
                        }));
  }
  std::unique_lock lock(mutex);
  answered.wait(lock, [&] { return replies == count; });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool status = argc == 6 && std::string(argv[3]) == "--status";
  if (argc != 4 && !status) {
    std::cerr << "usage: bus-call-as-user UID ADDRESS FILE\n"
                 "       bus-call-as-user UID ADDRESS --status MAP-PATH COUNT\n";
    return 2;
  }
  const auto id = static_cast<uid_t>(std::strtoul(argv[1], nullptr, 10));
  if (::setgroups(0, nullptr) != 0 || ::setresgid(id, id, id) != 0 ||
      ::setresuid(id, id, id) != 0) {
    std::cerr << "cannot become uid " << id << "\n";
    return 2;
  }
  try {
    auto connection = sdbus::createSessionBusConnectionWithAddress(argv[2]);
    if (!status)
      return attach_loop_file(*connection, argv[3]);
    connection->enterEventLoopAsync();
    const int code = status_burst(*connection, argv[4], std::atoi(argv[5]));
    connection->leaveEventLoop();
    return code;
  } catch (const sdbus::Error& error) {
    std::cout << error.getName() << ": " << error.getMessage() << "\n";
    return 1;
  }
}
