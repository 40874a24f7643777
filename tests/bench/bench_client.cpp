// One long-lived bus client of mapperd, as a desktop tool or a script in a real language would
// be: makes COUNT maps one call at a time over one connection, or removes them.
//
// Usage: mapperd-bench-client create|remove PREFIX COUNT [TABLE]
// Maps are PREFIX0 .. PREFIX<COUNT-1>, not persistent; TABLE defaults to "0 8 zero". Exits 1
// with the bus error when a call fails. The caller times it.
#include <sdbus-c++/sdbus-c++.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: mapperd-bench-client create|remove PREFIX COUNT [TABLE]\n";
    return 2;
  }
  const std::string action = argv[1];
  const std::string prefix = argv[2];
  const int count = std::atoi(argv[3]);
  const std::string table = argc > 4 ? argv[4] : "0 8 zero";
  try {
    auto connection = sdbus::createSystemBusConnection();
    auto manager = sdbus::createProxy(*connection, "org.mapperd.Mapper1", "/org/mapperd/Mapper1");
    const std::map<std::string, sdbus::Variant> options{{"persistent", sdbus::Variant(false)}};
    for (int i = 0; i < count; ++i) {
      const std::string name = prefix + std::to_string(i);
      sdbus::ObjectPath path;
      if (action == "create") {
        manager->callMethod("CreateMap")
            .onInterface("org.mapperd.Mapper1.Manager")
            .withArguments(name, table, options)
            .storeResultsTo(path);
      } else {
        // Plain names (letters and digits) are their own object path element.
        auto map = sdbus::createProxy(*connection, "org.mapperd.Mapper1",
                                      "/org/mapperd/Mapper1/map/" + name);
        map->callMethod("Remove")
            .onInterface("org.mapperd.Mapper1.Map")
            .withArguments(std::map<std::string, sdbus::Variant>{});
      }
    }
  } catch (const sdbus::Error& e) {
    std::cerr << e.getName() << ": " << e.getMessage() << "\n";
    return 1;
  }
  return 0;
}
