// Verbs that only read: ls, info, table, status, targets, version. Each prints text like
// dmsetup's, or with --json the documented objects.
#include <ostream>

#include "exit_status.h"
#include "help.h"
#include "map_output.h"
#include "verbs.h"

namespace mapperctl {
namespace {

// The maps the arguments name, in argument order; every map when there are none.
std::vector<MapInfo> selected_maps(Invocation& invocation) {
  if (invocation.argument_count() == 0)
    return invocation.mapperd().list_maps();
  std::vector<MapInfo> maps;
  for (const std::string& name : invocation.command().arguments) {
    invocation.set_subject(std::string(invocation.command().verb) + " " + name);
    maps.push_back(invocation.mapperd().get_map(name));
  }
  return maps;
}

// The snapshots among `maps` read afresh: their usage is what mapperd last read (a GetStatus
// reads it again), and `ls` and `info` must not show a stale fill. `again` fetches the maps anew.
template <class Fetch>
std::vector<MapInfo> with_fresh_usage(Invocation& invocation, std::vector<MapInfo> maps,
                                      Fetch again) {
  bool any = false;
  for (const MapInfo& map : maps) {
    if (map.is_snapshot() && map.state != "pending") {
      invocation.mapperd().map_status(map.name);
      any = true;
    }
  }
  return any ? again() : maps;
}

// `dmsetup table` prefixes "NAME: " unless exactly one map was asked for by name.
bool prefix_names(const Invocation& invocation) {
  return invocation.argument_count() != 1;
}

}  // namespace

void run_ls(Invocation& invocation) {
  const std::vector<MapInfo> maps =
      with_fresh_usage(invocation, invocation.mapperd().list_maps(),
                       [&] { return invocation.mapperd().list_maps(); });
  if (!invocation.json()) {
    invocation.out() << format_ls(maps, invocation.command().value("output"), invocation.legend());
    return;
  }
  Json items = Json::array();
  for (const MapInfo& map : maps)
    items.push_back(map_json(map));
  invocation.print_json(items);
}

void run_info(Invocation& invocation) {
  const std::vector<MapInfo> maps = with_fresh_usage(invocation, selected_maps(invocation),
                                                     [&] { return selected_maps(invocation); });
  if (invocation.json()) {
    // An array however many names were given: the shape never depends on the arguments.
    Json items = Json::array();
    for (const MapInfo& map : maps)
      items.push_back(map_json(map));
    invocation.print_json(items);
    return;
  }
  for (std::size_t i = 0; i < maps.size(); ++i) {
    invocation.out() << (i > 0 ? "\n" : "") << format_info(maps[i]);
  }
}

void run_table(Invocation& invocation) {
  const bool concise = invocation.command().has("concise");
  if (concise && invocation.json())
    throw usage_error("--concise is a text form; --json prints the tables as arrays already");
  const std::vector<MapInfo> maps = selected_maps(invocation);
  if (concise) {
    invocation.out() << format_concise(maps);
    return;
  }
  if (invocation.json()) {
    Json items = Json::array();
    for (const MapInfo& map : maps)
      items.push_back({{"name", map.name}, {"table", lines_json(map.table)}});
    invocation.print_json(items);
    return;
  }
  for (const MapInfo& map : maps) {
    invocation.out() << format_lines(map.name, map.table, prefix_names(invocation));
  }
}

void run_status(Invocation& invocation) {
  std::vector<std::string> names = invocation.command().arguments;
  if (names.empty()) {
    for (const MapInfo& map : invocation.mapperd().list_maps())
      names.push_back(map.name);
  }
  Json items = Json::array();
  for (const std::string& name : names) {
    invocation.set_subject("status " + name);
    std::string status;
    try {
      status = invocation.mapperd().map_status(name);
    } catch (const CommandError& error) {
      // A map removed between the listing and this call is no longer part of "every map".
      if (error.status() == ExitStatus::NotFound && invocation.argument_count() == 0)
        continue;
      throw;
    }
    if (invocation.json()) {
      items.push_back({{"name", name}, {"status", lines_json(status)}});
    } else {
      invocation.out() << format_lines(name, status, prefix_names(invocation));
    }
  }
  if (invocation.json()) {
    invocation.print_json(items);
  }
}

void run_targets(Invocation& invocation) {
  const std::vector<TargetVersion> targets = invocation.mapperd().kernel_targets();
  if (invocation.json()) {
    Json items = Json::array();
    for (const TargetVersion& target : targets)
      items.push_back({{"name", target.name}, {"version", target.version_text()}});
    invocation.print_json(items);
    return;
  }
  for (const TargetVersion& target : targets) {
    std::string name = target.name;
    name.resize(std::max<std::size_t>(name.size() + 1, 17), ' ');
    invocation.out() << name << "v" << target.version_text() << '\n';
  }
}

void run_version(Invocation& invocation) {
  const DaemonVersions versions = invocation.mapperd().versions();
  std::string client = version_text();
  client = client.substr(client.find(' ') + 1);
  if (!client.empty() && client.back() == '\n')
    client.pop_back();
  if (invocation.json()) {
    invocation.print_json({{"mapperctl", client},
                           {"mapperd", versions.daemon},
                           {"kernel_driver", versions.kernel_driver}});
    return;
  }
  invocation.out() << "mapperctl:      " << client << "\n"
                   << "mapperd:        " << versions.daemon << "\n"
                   << "Kernel driver:  " << versions.kernel_driver << "\n";
}

}  // namespace mapperctl
