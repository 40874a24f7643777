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

// `dmsetup table` prefixes "NAME: " unless exactly one map was asked for by name.
bool prefix_names(const Invocation& invocation) {
  return invocation.argument_count() != 1;
}

// One object for one named map, else an array: `info x --json | jq .size` stays simple.
Json one_or_array(const Invocation& invocation, Json::Array items) {
  if (invocation.argument_count() == 1 && items.size() == 1)
    return std::move(items.front());
  return Json(std::move(items));
}

}  // namespace

void run_ls(Invocation& invocation) {
  const std::vector<MapInfo> maps = invocation.mapperd().list_maps();
  if (!invocation.json()) {
    invocation.out() << format_ls(maps);
    return;
  }
  Json::Array items;
  for (const MapInfo& map : maps)
    items.push_back(map_json(map));
  invocation.out() << Json(std::move(items)).dump() << '\n';
}

void run_info(Invocation& invocation) {
  const std::vector<MapInfo> maps = selected_maps(invocation);
  if (invocation.json()) {
    Json::Array items;
    for (const MapInfo& map : maps)
      items.push_back(map_json(map));
    invocation.out() << one_or_array(invocation, std::move(items)).dump() << '\n';
    return;
  }
  for (std::size_t i = 0; i < maps.size(); ++i) {
    invocation.out() << (i > 0 ? "\n" : "") << format_info(maps[i]);
  }
}

void run_table(Invocation& invocation) {
  const std::vector<MapInfo> maps = selected_maps(invocation);
  if (invocation.json()) {
    Json::Array items;
    for (const MapInfo& map : maps) {
      items.push_back(
          Json::object({{"name", map.name}, {"table", Json::array(split_lines(map.table))}}));
    }
    invocation.out() << one_or_array(invocation, std::move(items)).dump() << '\n';
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
  Json::Array items;
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
      items.push_back(Json::object({{"name", name}, {"status", Json::array(split_lines(status))}}));
    } else {
      invocation.out() << format_lines(name, status, prefix_names(invocation));
    }
  }
  if (invocation.json()) {
    invocation.out() << one_or_array(invocation, std::move(items)).dump() << '\n';
  }
}

void run_targets(Invocation& invocation) {
  const std::vector<TargetVersion> targets = invocation.mapperd().kernel_targets();
  if (invocation.json()) {
    Json::Array items;
    for (const TargetVersion& target : targets) {
      items.push_back(Json::object({{"name", target.name}, {"version", target.version_text()}}));
    }
    invocation.out() << Json(std::move(items)).dump() << '\n';
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
    invocation.out() << Json::object({{"mapperctl", client},
                                      {"mapperd", versions.daemon},
                                      {"kernel_driver", versions.kernel_driver}})
                            .dump()
                     << '\n';
    return;
  }
  invocation.out() << "mapperctl:      " << client << "\n"
                   << "mapperd:        " << versions.daemon << "\n"
                   << "Kernel driver:  " << versions.kernel_driver << "\n";
}

}  // namespace mapperctl
