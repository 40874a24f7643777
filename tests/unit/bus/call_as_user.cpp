// bus-call-as-user UID ADDRESS FILE: calls mapperd's AttachLoopFile(FILE, {}) on the bus at
// ADDRESS as the user UID (and its group of the same number), and prints the object path, or
// the error as "NAME: MESSAGE" (exit status 1). For the bus tests of what only root may do: the
// tests run as root and this takes another user's place. (busctl prints any AccessDenied as
// "Access denied", hiding the message under test.)
#include <grp.h>
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: bus-call-as-user UID ADDRESS FILE\n";
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
    auto manager = sdbus::createProxy(*connection, "org.mapperd.Mapper1", "/org/mapperd/Mapper1");
    sdbus::ObjectPath loop;
    manager->callMethod("AttachLoopFile")
        .onInterface("org.mapperd.Mapper1.Manager")
        .withArguments(std::string(argv[3]), std::map<std::string, sdbus::Variant>{})
        .storeResultsTo(loop);
    std::cout << loop << "\n";
    return 0;
  } catch (const sdbus::Error& error) {
    std::cout << error.getName() << ": " << error.getMessage() << "\n";
    return 1;
  }
}
