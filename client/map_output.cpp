#include "map_output.h"

#include <array>
#include <cstdio>
#include <functional>

#include "columns.h"
#include "model/names.h"
#include "object_path.h"

namespace mapperctl {
namespace {

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty())
      text += separator;
    text += item;
  }
  return text;
}

std::string device_number(const MapInfo& map) {
  return std::to_string(map.major) + ":" + std::to_string(map.minor);
}

std::string_view owner_name(std::string_view uuid) {
  switch (mapperd::owner_of(uuid)) {
    case mapperd::MapOwner::Mapperd:
      return "mapperd";
    case mapperd::MapOwner::Lvm:
      return "lvm";
    case mapperd::MapOwner::Cryptsetup:
      return "cryptsetup";
    case mapperd::MapOwner::Other:
      break;
  }
  return "other";
}

// Whether mapperd brings the map back at boot: "persistent" or "transient"; "-" for another
// tool's map, which mapperd neither stores nor restores.
std::string persistence(const MapInfo& map) {
  if (!map.owned)
    return "-";
  return map.persistent ? "persistent" : "transient";
}

// Which JSON members each D-Bus property fills; `monitor` shows a change with these keys.
struct PropertyKeys {
  std::string_view property;
  std::array<std::string_view, 2> keys;
};
constexpr std::array<PropertyKeys, 20> kPropertyKeys = {{
    {"Name", {"name"}},
    {"UUID", {"uuid", "owner"}},
    {"DevicePath", {"device_path"}},
    {"DeviceNumber", {"major", "minor"}},
    {"Size", {"size"}},
    {"State", {"state"}},
    {"ReadOnly", {"read_only"}},
    {"Persistent", {"persistent"}},
    {"OpenCount", {"open_count"}},
    {"Owned", {"owned"}},
    {"CreatedByUID", {"created_by_uid"}},
    {"Dependencies", {"dependencies"}},
    {"MissingDevices", {"missing_devices"}},
    {"Table", {"table"}},
    {"SnapshotOrigin", {"snapshot_origin"}},
    {"Snapshots", {"snapshots"}},
    {"AllocatedSectors", {"allocated_sectors"}},
    {"TotalSectors", {"total_sectors"}},
    {"MetadataSectors", {"metadata_sectors"}},
    {"Invalid", {"invalid"}},
}};

std::vector<std::string_view> keys_of(std::string_view property) {
  for (const PropertyKeys& entry : kPropertyKeys) {
    if (entry.property != property)
      continue;
    std::vector<std::string_view> keys;
    for (std::string_view key : entry.keys) {
      if (!key.empty())
        keys.push_back(key);
    }
    return keys;
  }
  return {};
}

// The map object, with the snapshot fields filled when `snapshot`, null otherwise.
Json map_members(const MapInfo& map, bool snapshot) {
  const auto snapshot_value = [&](Json value) { return snapshot ? value : Json(); };
  return {
      {"name", map.name},
      {"uuid", map.uuid},
      {"owner", owner_name(map.uuid)},
      {"device_path", map.device_path},
      {"major", map.major},
      {"minor", map.minor},
      {"size", map.size},
      {"state", map.state},
      {"read_only", map.read_only},
      {"persistent", map.persistent},
      {"open_count", map.open_count},
      {"owned", map.owned},
      {"created_by_uid", map.created_by_uid},
      {"dependencies", map.dependencies},
      {"missing_devices", map.missing_devices},
      {"table", lines_json(map.table)},
      {"snapshot_origin", map.is_snapshot() ? Json(map.snapshot_origin) : Json()},
      {"snapshots", map.snapshots},
      {"allocated_sectors", snapshot_value(map.allocated_sectors)},
      {"total_sectors", snapshot_value(map.total_sectors)},
      {"metadata_sectors", snapshot_value(map.metadata_sectors)},
      {"fill_percent", snapshot_value(fill_percent(map))},
      {"invalid", snapshot_value(map.invalid)},
      {"merge_pending", snapshot_value(map.merge_pending)},
      {"fill_thresholds", map.is_snapshot() ? Json(map.fill_thresholds) : Json()},
      {"cow_file", map.is_snapshot() && !map.cow_file.empty() ? Json(map.cow_file) : Json()},
      {"auto_extend", snapshot_value(map.auto_extend)},
      {"object_path", map_object_path(map.name)},
  };
}

// The changed members of a Changed event, as they appear in the map object. A change carries
// only what changed, so the snapshot's usage is shown even though its origin is not in it (mapperd
// sends usage only for snapshots).
Json changed_members(const MapEvent& event) {
  const Json full = map_members(event.map, /*snapshot=*/true);
  Json members = Json::object();
  for (const std::string& property : event.changed) {
    for (std::string_view key : keys_of(property)) {
      const std::string member(key);
      if (full.contains(member))
        members[member] = full[member];
    }
  }
  return members;
}

// A value in a line of text: a string bare unless it holds a space, a list comma-separated.
std::string text_value(const Json& value) {
  if (value.is_array()) {
    std::string text;
    for (const Json& item : value)
      text += (text.empty() ? "" : ",") + text_value(item);
    return text;
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find_first_of(" \t\"") == std::string::npos)
      return text;
  }
  return json_text(value, JsonMode::Short);
}

}  // namespace

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string format_ls(const std::vector<MapInfo>& maps, const std::optional<std::string>& columns,
                      bool legend) {
  if (maps.empty())
    return legend ? "No devices found\n" : "";
  const std::vector<Column<MapInfo>> known = {
      {"UUID", [](const MapInfo& map) { return map.uuid.empty() ? "-" : map.uuid; }},
      {"OWNER", [](const MapInfo& map) { return std::string(owner_name(map.uuid)); }},
      {"DEVICE", [](const MapInfo& map) { return map.device_path; }},
      {"SIZE", [](const MapInfo& map) { return std::to_string(map.size); }},
      {"STATE", [](const MapInfo& map) { return map.state; }},
      {"RO", [](const MapInfo& map) { return yes_no(map.read_only); }},
      {"OPEN", [](const MapInfo& map) { return std::to_string(map.open_count); }},
      {"PERSISTENT", persistence},
      {"MISSING",
       [](const MapInfo& map) {
         return map.missing_devices.empty() ? "-" : join(map.missing_devices, ",");
       }},
  };
  const std::vector<const Column<MapInfo>*> picked =
      columns ? pick_columns(known, column_names(columns, {}))
              : std::vector<const Column<MapInfo>*>{};
  std::string text;
  for (const MapInfo& map : maps) {
    // dmsetup's two columns first, so scripts that read those keep working.
    text += map.name + "\t(" + device_number(map) + ")";
    if (columns) {
      for (const Column<MapInfo>* column : picked)
        text += "\t" + column->cell(map);
    } else {
      text += "\t" + persistence(map);
      if (!map.missing_devices.empty())
        text += "\tmissing: " + join(map.missing_devices, ", ");
    }
    text += "\n";
  }
  return text;
}

std::string format_size(std::uint64_t sectors) {
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  std::string text = std::to_string(sectors) + (sectors == 1 ? " sector" : " sectors");
  double amount = static_cast<double>(sectors) / 2;  // KiB
  std::size_t unit = 0;
  while (amount >= 1024 && unit + 1 < kUnits.size()) {
    amount /= 1024;
    ++unit;
  }
  char human[32];
  std::snprintf(human, sizeof human, " (%.1f %s)", amount, kUnits[unit]);
  return text + human;
}

std::string format_info(const MapInfo& map) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", map.name},
      {"UUID", map.uuid},
      {"Device", map.device_path + " (" + device_number(map) + ")"},
      {"Size", format_size(map.size)},
      {"State", map.state},
      {"Read-only", yes_no(map.read_only)},
      {"Persistent", map.owned ? yes_no(map.persistent) : "-"},
      {"Open count", std::to_string(map.open_count)},
  };
  if (map.owned) {
    rows.emplace_back("Owner",
                      "mapperd (created by uid " + std::to_string(map.created_by_uid) + ")");
  } else {
    rows.emplace_back("Owner", std::string(owner_name(map.uuid)) + " (mapperd will not change it)");
  }
  rows.emplace_back("Dependencies", map.dependencies.empty() ? "-" : join(map.dependencies, ", "));
  if (!map.missing_devices.empty())
    rows.emplace_back("Missing", join(map.missing_devices, ", "));
  if (map.is_snapshot()) {
    rows.emplace_back("Snapshot of", map.snapshot_origin);
    std::string usage = std::to_string(map.allocated_sectors) + " of " +
                        std::to_string(map.total_sectors) + " sectors used";
    if (map.total_sectors > 0) {
      char percent[32];
      std::snprintf(percent, sizeof percent, " (%.1f%%)", fill_percent(map));
      usage += percent;
    }
    usage += ", " + std::to_string(map.metadata_sectors) + " for metadata";
    if (map.invalid)
      usage += "; INVALID (the COW device overflowed)";
    rows.emplace_back("COW usage", usage);
    if (!map.cow_file.empty()) {
      rows.emplace_back(
          "COW file",
          map.cow_file + (map.auto_extend ? ", grows by " + std::to_string(map.extend_percent) +
                                                " % at each threshold"
                                          : std::string()));
    }
    if (!map.fill_thresholds.empty()) {
      std::vector<std::string> percents;
      for (const std::uint32_t percent : map.fill_thresholds)
        percents.push_back(std::to_string(percent) + " %");
      rows.emplace_back("Thresholds", join(percents, ", "));
    }
    if (map.merge_pending) {
      rows.emplace_back("Merge",
                        "pending: starts at the next boot, or with mapperctl merge --now "
                        "once the origin and the snapshot are closed");
    }
  }
  if (!map.snapshots.empty())
    rows.emplace_back("Snapshots", join(map.snapshots, ", "));

  std::string text;
  for (const auto& [key, value] : rows) {
    std::string label = key + ":";
    label.resize(std::max<std::size_t>(label.size() + 1, 15), ' ');
    text += label + value + "\n";
  }
  return text;
}

Json map_json(const MapInfo& map) {
  return map_members(map, map.is_snapshot());
}

Json lines_json(std::string_view text) {
  return split_lines(text);
}

std::string format_lines(const std::string& name, const std::string& text, bool prefixed) {
  std::string out;
  for (const std::string& line : split_lines(text)) {
    out += (prefixed ? name + ": " : std::string()) + line + "\n";
  }
  return out;
}

namespace {

std::string concise_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ',' || c == ';' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// `maps` with every map after those of `maps` whose device it uses.
std::vector<const MapInfo*> in_dependency_order(const std::vector<MapInfo>& maps) {
  std::vector<const MapInfo*> ordered;
  std::vector<int> state(maps.size(), 0);  // 0 not yet, 1 in progress, 2 placed
  std::function<void(std::size_t)> place = [&](std::size_t i) {
    if (state[i] != 0)
      return;  // placed, or a cycle the kernel cannot have
    state[i] = 1;
    for (const std::string& dependency : maps[i].dependencies) {
      for (std::size_t j = 0; j < maps.size(); ++j) {
        if (j != i && device_number(maps[j]) == dependency)
          place(j);
      }
    }
    state[i] = 2;
    ordered.push_back(&maps[i]);
  };
  for (std::size_t i = 0; i < maps.size(); ++i)
    place(i);
  return ordered;
}

}  // namespace

std::string format_concise(const std::vector<MapInfo>& maps) {
  std::string text;
  for (const MapInfo* map : in_dependency_order(maps)) {
    if (!text.empty())
      text += ';';
    text += concise_escaped(map->name) + "," + concise_escaped(map->uuid) + "," +
            std::to_string(map->minor) + "," + (map->read_only ? "ro" : "rw");
    for (const std::string& line : split_lines(map->table))
      text += "," + concise_escaped(line);
  }
  return text.empty() ? text : text + "\n";
}

double fill_percent(const MapInfo& map) {
  if (map.total_sectors == 0)
    return map.invalid ? 100.0 : 0.0;
  return 100.0 * static_cast<double>(map.allocated_sectors) /
         static_cast<double>(map.total_sectors);
}

std::string format_event(const MapEvent& event) {
  switch (event.kind) {
    case MapEvent::Kind::Added:
      return "added " + event.name + " (" + device_number(event.map) + ") " +
             std::to_string(event.map.size) + " sectors " + event.map.state;
    case MapEvent::Kind::Removed:
      return "removed " + event.name;
    case MapEvent::Kind::Changed: {
      std::string line = "changed " + event.name;
      const Json members = changed_members(event);
      for (const auto& [key, value] : members.items()) {
        line += " " + key + "=" + text_value(value);
      }
      for (const std::string& property : event.invalidated) {
        for (std::string_view key : keys_of(property))
          line += " " + std::string(key) + "=?";
      }
      return line;
    }
    case MapEvent::Kind::ManagerChanged:
      return "changed mapperd " + join(event.changed, " ");
    case MapEvent::Kind::DaemonStarted:
      return "mapperd started";
    case MapEvent::Kind::DaemonStopped:
      return "mapperd stopped";
    case MapEvent::Kind::FillCrossed:
      return "filled " + event.name + " " + std::to_string(event.percent) + "%";
    case MapEvent::Kind::Invalidated:
      return "invalidated " + event.name;
  }
  return {};
}

Json event_json(const MapEvent& event) {
  switch (event.kind) {
    case MapEvent::Kind::Added:
      return {{"event", "added"}, {"name", event.name}, {"map", map_json(event.map)}};
    case MapEvent::Kind::Removed:
      return {{"event", "removed"}, {"name", event.name}};
    case MapEvent::Kind::Changed: {
      std::vector<std::string> invalidated;
      for (const std::string& property : event.invalidated) {
        for (std::string_view key : keys_of(property))
          invalidated.emplace_back(key);
      }
      return {{"event", "changed"},
              {"name", event.name},
              {"properties", changed_members(event)},
              {"invalidated", invalidated}};
    }
    case MapEvent::Kind::ManagerChanged:
      return {{"event", "mapperd-changed"}, {"properties", event.changed}};
    case MapEvent::Kind::DaemonStarted:
      return {{"event", "mapperd-started"}};
    case MapEvent::Kind::DaemonStopped:
      return {{"event", "mapperd-stopped"}};
    case MapEvent::Kind::FillCrossed:
      return {{"event", "fill-threshold"}, {"name", event.name}, {"percent", event.percent}};
    case MapEvent::Kind::Invalidated:
      return {{"event", "invalidated"}, {"name", event.name}};
  }
  return {};
}

}  // namespace mapperctl
