// Verbs that compute a table from devices, so nobody does the tutorial's shell arithmetic by
// hand: concat, split, stripe. --dry-run prints the table instead and needs no daemon.
#include <ostream>

#include "exit_status.h"
#include "local_block_devices.h"
#include "map_output.h"
#include "table_layouts.h"
#include "verb_support.h"
#include "verbs.h"

namespace mapperctl {
namespace {

using mapperd::Sectors;

constexpr std::uint64_t kDefaultStripeChunkSectors = 128;  // 64 KiB, as LVM's default

// A RANGE argument, resolved. Sizes are read on this machine; with -H the devices are the
// remote host's, so the range must then be given in sectors.
Extent resolve_range(const Invocation& invocation, const std::string& text) {
  const ExtentSpec spec = ExtentSpec::parse(text);
  std::optional<Sectors> size;
  if (!invocation.remote())
    size = LocalBlockDevices().size_of(spec.device);
  return resolve_extent(spec, size);
}

// The arguments from `first` on, resolved.
std::vector<Extent> resolve_ranges(const Invocation& invocation, std::size_t first) {
  std::vector<Extent> extents;
  for (std::size_t i = first; i < invocation.argument_count(); ++i) {
    extents.push_back(resolve_range(invocation, invocation.argument(i)));
  }
  return extents;
}

void print_tables(Invocation& invocation,
                  const std::vector<std::pair<std::string, mapperd::Table>>& maps) {
  const bool several = maps.size() > 1;
  if (invocation.json()) {
    // concat and stripe make one map, split two: an object, or an array of two, whatever the
    // arguments.
    Json items = Json::array();
    for (const auto& [name, table] : maps)
      items.push_back({{"name", name}, {"table", lines_json(mapperd::format_table(table))}});
    invocation.print_json(several ? items : items.front());
    return;
  }
  for (const auto& [name, table] : maps) {
    invocation.out() << format_lines(name, mapperd::format_table(table), several);
  }
}

// Creates the map, or with --dry-run only prints its table.
void create_or_show(Invocation& invocation, const std::string& name, const mapperd::Table& table) {
  if (invocation.command().has("dry-run")) {
    print_tables(invocation, {{name, table}});
    return;
  }
  invocation.mapperd().create_map(name, mapperd::format_table(table), create_options(invocation));
  if (invocation.json())
    invocation.print_json(made_map_json(invocation, name));
}

}  // namespace

void run_concat(Invocation& invocation) {
  const std::string& name = invocation.argument(0);
  invocation.set_subject("concat " + name);
  check_map_name(name);
  create_or_show(invocation, name, concat_table(resolve_ranges(invocation, 1)));
}

void run_stripe(Invocation& invocation) {
  const std::string& name = invocation.argument(0);
  invocation.set_subject("stripe " + name);
  check_map_name(name);
  Sectors chunk_size(kDefaultStripeChunkSectors);
  if (const std::optional<std::string> text = invocation.command().value("chunk-size")) {
    const Amount amount = Amount::parse(*text);
    if (amount.is_fraction())
      throw usage_error("--chunk-size cannot be a fraction");
    chunk_size = amount.resolve(Sectors(0));
  }
  create_or_show(invocation, name, stripe_table(resolve_ranges(invocation, 1), chunk_size));
}

void run_split(Invocation& invocation) {
  const std::string& first = invocation.argument(1);
  const std::string& second = invocation.argument(2);
  invocation.set_subject("split " + invocation.argument(0));
  check_map_name(first);
  check_map_name(second);
  const Extent whole = resolve_range(invocation, invocation.argument(0));
  // A fraction is of the range being split: "--at 1/2" halves it.
  const Amount at = Amount::parse(invocation.command().value("at").value_or("1/2"));
  const auto [first_table, second_table] = split_tables(whole, at.resolve(whole.length));

  if (invocation.command().has("dry-run")) {
    print_tables(invocation, {{first, first_table}, {second, second_table}});
    return;
  }
  const CreateOptions options = create_options(invocation);
  invocation.set_subject("split: create " + first);
  invocation.mapperd().create_map(first, mapperd::format_table(first_table), options);
  invocation.set_subject("split: create " + second);
  try {
    invocation.mapperd().create_map(second, mapperd::format_table(second_table), options);
  } catch (const CommandError& error) {
    // All or nothing: a half-made split would leave the first map holding the device.
    std::string message = error.what();
    try {
      invocation.mapperd().remove_map(first, RemoveOptions{});
      message += "\n(" + first + " was removed again)";
    } catch (const CommandError& rollback) {
      message += "\nand removing " + first + " again failed too: " + rollback.what();
    }
    throw CommandError(error.status(), message, error.kind(), error.dbus_name());
  }
  if (invocation.json()) {
    invocation.print_json(
        Json::array({made_map_json(invocation, first), made_map_json(invocation, second)}));
  }
}

}  // namespace mapperctl
