// A bus client that makes one map with CreateMap's bind-to-caller option and then waits to be
// killed: the guest suite checks that the map goes when this process (its caller) leaves the bus.
//
// Usage: mapperd-bound-caller NAME TABLE
// Prints the map's object path on stdout once it is made; exits 1 with the bus error if not.
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: mapperd-bound-caller NAME TABLE\n";
    return 2;
  }
  try {
    auto connection = sdbus::createSystemBusConnection();
    auto manager = sdbus::createProxy(*connection, "org.mapperd.Mapper1", "/org/mapperd/Mapper1");
    const std::map<std::string, sdbus::Variant> options{{"bind-to-caller", sdbus::Variant(true)}};
    sdbus::ObjectPath path;
    manager->callMethod("CreateMap")
        .onInterface("org.mapperd.Mapper1.Manager")
        .withArguments(std::string(argv[1]), std::string(argv[2]), options)
        .storeResultsTo(path);
    std::cout << path << std::endl;
    for (;;)
      pause();
  } catch (const sdbus::Error& e) {
    std::cerr << e.getName() << ": " << e.getMessage() << "\n";
    return 1;
  }
}
