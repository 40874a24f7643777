// Verbs that change one map at a time: create, remove, reload, rename, suspend, resume,
// message, snapshot. Each names its map in the subject, so errors read
// "mapperctl: create twoasone: ...".
#include <algorithm>
#include <ostream>

#include "concise_format.h"
#include "exit_status.h"
#include "extent.h"
#include "json_output.h"
#include "object_path.h"
#include "verb_support.h"
#include "verbs.h"

namespace mapperctl {
namespace {

// For --json after suspend or resume: the maps the arguments name, as they are now.
void print_maps_json(Invocation& invocation) {
  if (!invocation.json())
    return;
  Json maps = Json::array();
  for (const std::string& name : invocation.command().arguments)
    maps.push_back(made_map_json(invocation, name));
  invocation.print_json(maps);
}

// `create --concise FILE`: every map of FILE in one CreateMaps call.
void run_create_concise(Invocation& invocation) {
  const std::string& file = invocation.argument(0);
  invocation.set_subject("create --concise " + file);
  if (invocation.argument_count() > 1)
    throw usage_error("--concise reads every map from one FILE (or -); give no NAME");
  const CommandLine& command = invocation.command();
  if (command.value("table") || command.value("uuid") || command.has("readonly")) {
    throw usage_error(
        "--concise carries each map's UUID, flags and table: --table, --uuid and --readonly do "
        "not apply");
  }
  const CreateOptions common = create_options(invocation);
  std::vector<BatchMapRequest> batch;
  for (ConciseMap& map : parse_concise(read_table(invocation, 0))) {
    BatchMapRequest request{std::move(map.name), std::move(map.table), common};
    if (!map.uuid.empty())
      request.options.uuid = std::move(map.uuid);
    request.options.read_only = map.read_only;
    batch.push_back(std::move(request));
  }
  const std::vector<std::string> made =
      invocation.mapperd().create_maps(batch, command.has("partial"));
  if (invocation.json()) {
    Json maps = Json::array();
    for (const std::string& name : made)
      maps.push_back(made_map_json(invocation, name));
    invocation.print_json(maps);
  }
  if (made.size() == batch.size())
    return;
  std::string missing;
  for (const BatchMapRequest& request : batch) {
    if (std::find(made.begin(), made.end(), request.name) == made.end())
      missing += (missing.empty() ? "" : ", ") + request.name;
  }
  throw CommandError(ExitStatus::Failed,
                     std::to_string(batch.size() - made.size()) + " of " +
                         std::to_string(batch.size()) + " maps were not made: " + missing +
                         " (why: journalctl -u mapperd MAPPERD_METHOD=CreateMaps)");
}

}  // namespace

void run_create(Invocation& invocation) {
  if (invocation.command().has("concise"))
    return run_create_concise(invocation);
  if (invocation.command().has("partial"))
    throw usage_error("--partial goes with --concise");
  const std::string& name = invocation.argument(0);
  invocation.set_subject("create " + name);
  check_map_name(name);
  const CreateOptions options = create_options(invocation);
  const std::string table = read_table(invocation, 1);
  invocation.mapperd().create_map(name, table, options);
  if (invocation.json())
    invocation.print_json(made_map_json(invocation, name));
}

void run_remove(Invocation& invocation) {
  RemoveOptions options;
  options.force = invocation.command().has("force");
  options.deferred = invocation.command().has("deferred");
  options.keep_definition = invocation.command().has("keep-definition");
  options.with_snapshots = invocation.command().has("with-snapshots");
  std::vector<std::string> names = invocation.command().arguments;
  std::string subject = "remove";
  for (const std::string& name : names)
    subject += " " + name;
  invocation.set_subject(subject);
  if (options.with_snapshots) {
    // Named here so the output lists them; the daemon adds any made since, or refuses.
    for (const std::string& origin : invocation.command().arguments) {
      for (const std::string& snapshot : invocation.mapperd().get_map(origin).snapshots) {
        if (std::find(names.begin(), names.end(), snapshot) == names.end())
          names.push_back(snapshot);
      }
    }
  }
  if (names.size() == 1) {
    invocation.mapperd().remove_map(names.front(), options);
  } else {
    // One call: the daemon orders them (dependents first) and removes none when one cannot go.
    invocation.mapperd().remove_maps(names, options);
  }
  Json removed = Json::array();
  for (const std::string& name : names) {
    removed.push_back({{"name", name},
                       {"object_path", map_object_path(name)},
                       {"kept_definition", options.keep_definition}});
  }
  if (invocation.json())
    invocation.print_json(removed);
}

void run_reload(Invocation& invocation) {
  const std::string& name = invocation.argument(0);
  invocation.set_subject("reload " + name);
  const std::string table = read_table(invocation, 1);
  invocation.mapperd().reload_map(name, table);
  if (invocation.json())
    invocation.print_json(made_map_json(invocation, name));
}

void run_rename(Invocation& invocation) {
  const std::string& old_name = invocation.argument(0);
  const std::string& new_name = invocation.argument(1);
  invocation.set_subject("rename " + old_name);
  check_map_name(new_name);
  invocation.mapperd().rename_map(old_name, new_name);
  if (invocation.json())
    invocation.print_json(made_map_json(invocation, new_name));
}

void run_suspend(Invocation& invocation) {
  const bool noflush = invocation.command().has("noflush");
  for (const std::string& name : invocation.command().arguments) {
    invocation.set_subject("suspend " + name);
    invocation.mapperd().suspend_map(name, noflush);
  }
  print_maps_json(invocation);
}

void run_resume(Invocation& invocation) {
  for (const std::string& name : invocation.command().arguments) {
    invocation.set_subject("resume " + name);
    invocation.mapperd().resume_map(name);
  }
  print_maps_json(invocation);
}

void run_message(Invocation& invocation) {
  const std::string& name = invocation.argument(0);
  invocation.set_subject("message " + name);
  const std::uint64_t sector = parse_sector(invocation.argument(1), "sector");
  std::string message;
  for (std::size_t i = 2; i < invocation.argument_count(); ++i) {
    message += (i > 2 ? " " : "") + invocation.argument(i);
  }
  const std::string reply = invocation.mapperd().send_message(name, sector, message);
  if (invocation.json()) {
    invocation.print_json({{"name", name}, {"reply", reply}});
  } else if (!reply.empty()) {
    invocation.out() << reply << (reply.ends_with('\n') ? "" : "\n");
  }
}

// "20%" of the origin, else bytes ("1G").
void read_cow_size(const std::string& text, SnapshotOptions& options) {
  if (text.ends_with('%')) {
    const std::string digits = text.substr(0, text.size() - 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos || std::stoul(digits) == 0 ||
        std::stoul(digits) > 100)
      throw usage_error("--size " + text + ": a percentage of the origin is 1% to 100%");
    options.cow_percent = static_cast<std::uint32_t>(std::stoul(digits));
  } else {
    options.cow_bytes = parse_byte_count(text, "--size");
  }
}

std::uint32_t parse_percent(const std::string& text, std::string_view what) {
  if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos)
    throw usage_error(std::string(what) + " " + text + ": not a percentage (a whole number)");
  return static_cast<std::uint32_t>(std::stoul(text));
}

void run_snapshot(Invocation& invocation) {
  const std::string& origin = invocation.argument(0);
  const std::string& name = invocation.argument(1);
  const CommandLine& command = invocation.command();
  const std::optional<std::string> size = command.value("size");
  if (invocation.argument_count() == 3 && size)
    throw usage_error("give a COW device or --size, not both");
  if (invocation.argument_count() == 2 && !size)
    throw usage_error("no COW: give a COW device, or --size SIZE for a COW file mapperd makes");
  const std::string cow = size ? std::string() : invocation.argument(2);
  invocation.set_subject("snapshot " + name);
  check_map_name(name);
  if (command.has("persistent") && command.has("transient")) {
    throw usage_error("a snapshot is either --persistent or --transient");
  }
  SnapshotOptions options;
  options.persistent = !command.has("transient");
  if (size)
    read_cow_size(*size, options);
  if (const std::optional<std::string> list = command.value("fill-thresholds")) {
    std::size_t start = 0;
    while (start <= list->size()) {
      const std::size_t end = std::min(list->find(',', start), list->size());
      options.fill_thresholds.push_back(
          parse_percent(list->substr(start, end - start), "--fill-thresholds"));
      start = end + 1;
    }
  }
  options.auto_extend = command.has("auto-extend");
  if (const std::optional<std::string> percent = command.value("extend-percent"))
    options.extend_percent = parse_percent(*percent, "--extend-percent");
  if ((options.auto_extend || options.extend_percent) && !size)
    throw usage_error("--auto-extend grows only a COW file mapperd makes: give --size");
  if (const std::optional<std::string> chunk = command.value("chunk-size")) {
    const Amount amount = Amount::parse(*chunk);
    if (amount.is_fraction())
      throw usage_error("--chunk-size cannot be a fraction");
    options.chunk_size = amount.resolve(mapperd::Sectors(0)).count();
  }
  invocation.mapperd().create_snapshot(origin, name, cow, options);
  if (invocation.json())
    invocation.print_json(made_map_json(invocation, name));
}

}  // namespace mapperctl
