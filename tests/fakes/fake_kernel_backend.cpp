#include "fakes/fake_kernel_backend.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "kernel/kernel_errors.h"
#include "kernel/kernel_table.h"
#include "model/table.h"
#include "model/table_parser.h"

namespace mapperd {
namespace {

namespace errors = kernel_errors;

constexpr std::string_view kMapperDir = "/dev/mapper/";

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> result;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;)
    result.push_back(word);
  return result;
}

// The targets the fake lists that the model has no type for (crypt): their parameters are kept
// verbatim, as DmBackend keeps them.
const std::set<std::string>& passthrough_targets() {
  static const std::set<std::string> types{"crypt"};
  return types;
}

Sectors size_of_table(const std::vector<TargetLine>& lines) {
  return lines.empty() ? Sectors(0) : lines.back().start + lines.back().length;
}

}  // namespace

// The registered devices plus the maps, as the kernel's block layer would show them.
class FakeKernelBackend::Devices final : public BlockDevices {
 public:
  explicit Devices(const FakeKernelBackend& owner) : owner_(owner) {}

  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override {
    if (ref.is_number()) {
      const DeviceNumber number = ref.number();
      if (owner_.devices_.contains(number))
        return number;
      for (const auto& [name, map] : owner_.maps_) {
        if (map.device == number)
          return number;
      }
      return std::nullopt;
    }
    for (const auto& [number, device] : owner_.devices_) {
      if (!device.path.empty() && device.path == ref.text())
        return number;
    }
    if (ref.text().starts_with(kMapperDir)) {
      const auto map = owner_.maps_.find(ref.text().substr(kMapperDir.size()));
      if (map != owner_.maps_.end())
        return map->second.device;
    }
    return std::nullopt;
  }

  std::optional<Sectors> size_of(DeviceNumber number) const override {
    if (const auto device = owner_.devices_.find(number); device != owner_.devices_.end()) {
      return device->second.size;
    }
    for (const auto& [name, map] : owner_.maps_) {
      if (map.device == number)
        return size_of_table(map.live);
    }
    return std::nullopt;
  }

 private:
  const FakeKernelBackend& owner_;
};

FakeKernelBackend::FakeKernelBackend() : block_devices_(std::make_unique<Devices>(*this)) {}

FakeKernelBackend::~FakeKernelBackend() = default;

void FakeKernelBackend::add_block_device(DeviceNumber number, Sectors size, std::string path) {
  devices_[number] = Device{size, std::move(path)};
}

void FakeKernelBackend::remove_block_device(DeviceNumber number) {
  devices_.erase(number);
}

const BlockDevices& FakeKernelBackend::block_devices() const {
  return *block_devices_;
}

void FakeKernelBackend::set_open_count(std::string_view name, std::int32_t count) {
  Map& map = existing("open", name);
  map.open_count = count;
  // The kernel completes a deferred remove at the last close.
  if (count == 0 && map.deferred_remove)
    erase(name);
}

void FakeKernelBackend::fail_next(std::string operation, Error error) {
  failures_.insert_or_assign(std::move(operation), std::move(error));
}

void FakeKernelBackend::raise_event(std::string_view name) {
  ++existing("event", name).event_number;
}

FakeKernelBackend::Map& FakeKernelBackend::existing(std::string_view operation,
                                                    std::string_view name) {
  const auto map = maps_.find(name);
  if (map == maps_.end())
    throw errors::map_not_found(operation, name);
  return map->second;
}

void FakeKernelBackend::step(std::string_view operation, std::string_view name) {
  calls_.push_back(std::string(operation) + " " + std::string(name));
  if (on_step)
    on_step(calls_.back());
  if (const auto failure = failures_.find(operation); failure != failures_.end()) {
    const Error error = failure->second;
    failures_.erase(failure);
    throw error;
  }
}

std::vector<TargetLine> FakeKernelBackend::checked(std::string_view operation,
                                                   std::string_view name,
                                                   const std::vector<TargetLine>& table) const {
  Table parsed;
  try {
    parsed = from_target_lines(table, passthrough_targets());
  } catch (const Error& refusal) {
    throw errors::invalid_table(operation, name, refusal.what());
  }
  // The devices before their sizes, as the kernel opens each device before it checks the area.
  for (const DeviceRef& device : referenced_devices(parsed)) {
    if (!block_devices_->resolve(device)) {
      throw errors::device_missing(operation, name, device.text());
    }
  }
  TableContext context;
  context.devices = block_devices_.get();
  context.passthrough_targets = passthrough_targets();
  const std::vector<TableProblem> problems = check_table(format_target_lines(table), context);
  if (!problems.empty()) {
    std::string reasons;
    for (const TableProblem& problem : problems) {
      reasons += (reasons.empty() ? "" : "; ") + problem.to_string();
    }
    throw errors::invalid_table(operation, name, reasons);
  }
  // The kernel prints every device as MAJOR:MINOR, however the table named it.
  return to_target_lines(with_device_numbers(parsed, *block_devices_));
}

void FakeKernelBackend::require_devices(std::string_view operation, std::string_view name,
                                        const std::vector<TargetLine>& table) const {
  // As DmBackend does before the kernel sees a table: a table the model cannot read is left for
  // the load to refuse.
  Table parsed;
  try {
    parsed = from_target_lines(table, passthrough_targets());
  } catch (const Error&) {
    return;
  }
  for (const DeviceRef& device : referenced_devices(parsed)) {
    if (!block_devices_->resolve(device)) {
      throw errors::device_missing(operation, name, device.text());
    }
  }
}

void FakeKernelBackend::erase(std::string_view name) {
  const auto map = maps_.find(name);
  if (map != maps_.end())
    maps_.erase(map);
}

std::string FakeKernelBackend::driver_version() {
  return "4.47.0";
}

std::vector<TargetVersion> FakeKernelBackend::targets() {
  // What Debian 12's kernel lists once dm-mod, dm-snapshot and dm-crypt are loaded.
  return {{"crypt", 1, 24, 0},
          {"snapshot-merge", 1, 16, 0},
          {"snapshot-origin", 1, 9, 0},
          {"snapshot", 1, 16, 0},
          {"striped", 1, 6, 0},
          {"linear", 1, 4, 0},
          {"zero", 1, 2, 0},
          {"error", 1, 6, 0}};
}

std::vector<MapListing> FakeKernelBackend::list() {
  reads_.push_back("list");
  std::vector<MapListing> maps;
  for (const auto& [name, map] : maps_)
    maps.push_back({name, map.uuid, map.device});
  return maps;  // std::map keeps them sorted by name
}

std::optional<MapInfo> FakeKernelBackend::info(std::string_view name) {
  reads_.push_back("info " + std::string(name));
  return info_of(name);
}

std::optional<MapInfo> FakeKernelBackend::info_of(std::string_view name) const {
  const auto found = maps_.find(name);
  if (found == maps_.end())
    return std::nullopt;
  const Map& map = found->second;
  MapInfo info;
  info.name = found->first;
  info.uuid = map.uuid;
  info.device = map.device;
  info.suspended = map.suspended;
  info.read_only = map.read_only;
  info.live_table = !map.live.empty();
  info.inactive_table = map.inactive.has_value();
  // Every table that maps this map holds it open, as in the kernel.
  info.open_count = map.open_count;
  for (const auto& [other_name, other] : maps_) {
    for (const std::vector<TargetLine>* lines :
         {&other.live, other.inactive ? &*other.inactive : nullptr}) {
      if (lines == nullptr)
        continue;
      const std::string needle = map.device.to_string();
      const bool uses = std::any_of(lines->begin(), lines->end(), [&](const TargetLine& line) {
        const std::vector<std::string> args = words(line.params);
        return std::find(args.begin(), args.end(), needle) != args.end();
      });
      if (uses)
        ++info.open_count;
    }
  }
  info.target_count = static_cast<std::uint32_t>(map.live.size());
  info.event_number = map.event_number;
  return info;
}

std::vector<TargetLine> FakeKernelBackend::table(std::string_view name) {
  reads_.push_back("table " + std::string(name));
  return existing("table", name).live;
}

void FakeKernelBackend::set_cow_usage(DeviceNumber cow, Sectors allocated, Sectors metadata) {
  cow_usage_[cow] = {allocated, metadata};
}

std::vector<TargetLine> FakeKernelBackend::status(std::string_view name, bool noflush) {
  reads_.push_back((noflush ? "status --noflush " : "status ") + std::string(name));
  const Map& map = existing("status", name);
  std::vector<TargetLine> lines;
  for (const TargetLine& line : map.live) {
    // The kernel's status formats, with nothing ever failed, and a COW's use as set.
    const std::vector<std::string> args = words(line.params);
    std::string status;
    if (line.type == "striped" && !args.empty()) {
      const std::size_t stripes = std::stoul(args[0]);
      status = args[0];
      for (std::size_t i = 0; i < stripes; ++i)
        status += " " + args[2 + 2 * i];
      status += " 1 " + std::string(stripes, 'A');
    } else if ((line.type == "snapshot" || line.type == "snapshot-merge") && args.size() > 1) {
      const std::optional<DeviceRef> cow = DeviceRef::parse(args[1]);
      const std::optional<Sectors> size =
          cow && cow->is_number() ? block_devices_->size_of(cow->number()) : std::nullopt;
      std::pair<Sectors, Sectors> usage{};
      if (cow && cow->is_number()) {
        if (const auto set = cow_usage_.find(cow->number()); set != cow_usage_.end())
          usage = set->second;
      }
      status = to_string(usage.first) + "/" + to_string(size.value_or(Sectors(0))) + " " +
               to_string(usage.second);
      if (cow && cow->is_number() && invalid_cows_.contains(cow->number()))
        status = "Invalid";
    }
    lines.push_back({line.start, line.length, line.type, status});
  }
  return lines;
}

std::vector<DeviceNumber> FakeKernelBackend::dependencies(std::string_view name) {
  reads_.push_back("deps " + std::string(name));
  const Map& map = existing("deps", name);
  std::vector<DeviceNumber> devices;
  if (map.live.empty())
    return devices;
  for (const DeviceRef& device :
       referenced_devices(from_target_lines(map.live, passthrough_targets()))) {
    if (device.is_number())
      devices.push_back(device.number());
  }
  std::sort(devices.begin(), devices.end());
  return devices;
}

MapInfo FakeKernelBackend::create(const CreateRequest& request) {
  constexpr std::string_view op = "create";
  const std::string& name = request.name;
  step(op, name);
  if (maps_.contains(name))
    throw errors::map_exists(op, name);
  require_devices(op, name, request.table);
  if (!request.uuid.empty()) {
    for (const auto& [other_name, other] : maps_) {
      if (other.uuid == request.uuid)
        throw errors::uuid_exists(op, name, request.uuid);
    }
  }
  Map& map = maps_[name];
  map.uuid = request.uuid;
  map.device = DeviceNumber{kMapMajor, next_minor_++};
  map.read_only = request.read_only;
  try {
    step("load", name);
    std::vector<TargetLine> live = checked(op, name, request.table);
    step("resume", name);
    map.live = std::move(live);
  } catch (const Error& error) {
    erase(name);
    throw errors::with_note(error, "the half-made map was removed again");
  }
  return *info_of(name);
}

void FakeKernelBackend::load(std::string_view name, const std::vector<TargetLine>& table) {
  constexpr std::string_view op = "load";
  Map& map = existing(op, name);
  require_devices(op, name, table);
  step(op, name);
  map.inactive = checked(op, name, table);
}

void FakeKernelBackend::clear_inactive(std::string_view name) {
  Map& map = existing("clear", name);
  step("clear", name);
  map.inactive.reset();
}

void FakeKernelBackend::reload(std::string_view name, const std::vector<TargetLine>& table) {
  constexpr std::string_view op = "reload";
  Map& map = existing(op, name);
  require_devices(op, name, table);
  std::vector<TargetLine> staged;
  try {
    step("load", name);
    staged = checked(op, name, table);
    map.inactive = staged;
    step("suspend", name);
  } catch (const Error& error) {
    map.inactive.reset();
    throw errors::with_note(error, "nothing was suspended; the live table is unchanged");
  }
  map.suspended = true;
  try {
    step("resume", name);
  } catch (const Error& error) {
    map.inactive.reset();
    map.suspended = false;
    throw errors::with_note(error, "the old table was resumed");
  }
  resume_map(op, name);
}

void FakeKernelBackend::suspend(std::string_view name, bool /*noflush*/) {
  Map& map = existing("suspend", name);
  step("suspend", name);
  map.suspended = true;
}

void FakeKernelBackend::resume_map(std::string_view operation, std::string_view name) {
  Map& map = existing(operation, name);
  if (map.inactive) {
    map.live = std::move(*map.inactive);
    map.inactive.reset();
  }
  map.suspended = false;
}

void FakeKernelBackend::resume(std::string_view name) {
  existing("resume", name);
  step("resume", name);
  resume_map("resume", name);
}

void FakeKernelBackend::remove(std::string_view name, const RemoveOptions& options) {
  constexpr std::string_view op = "remove";
  existing(op, name);
  step(op, name);
  const std::int32_t open_count = info_of(name)->open_count;
  if (open_count == 0) {
    erase(name);
    return;
  }
  Map& map = maps_.find(name)->second;
  if (options.deferred) {
    map.deferred_remove = true;
    return;
  }
  if (options.force) {
    // As the real backend: the openers' I/O fails from now on, but the map stays while open.
    const Sectors size = size_of_table(map.live);
    if (size.count() > 0)
      map.live = {{Sectors(0), size, "error", ""}};
    map.inactive.reset();
    map.suspended = false;
  }
  throw errors::map_busy(op, name, open_count);
}

void FakeKernelBackend::rename(std::string_view name, std::string_view new_name) {
  constexpr std::string_view op = "rename";
  existing(op, name);
  step(op, name);
  if (maps_.contains(new_name))
    throw errors::name_taken(op, name, new_name);
  auto node = maps_.extract(maps_.find(name));
  node.key() = std::string(new_name);
  // The kernel wakes event waiters on a rename of a map with a live table.
  if (!node.mapped().live.empty())
    ++node.mapped().event_number;
  maps_.insert(std::move(node));
}

std::string FakeKernelBackend::message(std::string_view name, Sectors sector,
                                       std::string_view text) {
  constexpr std::string_view op = "message";
  Map& map = existing(op, name);
  step(op, name);
  const std::vector<std::string> args = words(text);
  if (!args.empty() && args[0] == "@stats_create")
    return std::to_string(map.stats_regions++);
  // dm-crypt takes "key set <key>" and "key wipe" only while the map is suspended.
  const bool crypt = std::any_of(map.live.begin(), map.live.end(),
                                 [](const TargetLine& line) { return line.type == "crypt"; });
  if (crypt && args.size() >= 2 && args[0] == "key" && (args[1] == "set" || args[1] == "wipe")) {
    if (!map.suspended)
      throw errors::message_refused(op, name,
                                    "device-mapper: crypt: not suspended during key manipulation.");
    return "";
  }
  if (sector >= size_of_table(map.live)) {
    throw errors::message_refused(op, name,
                                  "device-mapper: ioctl: Target message sector outside device.");
  }
  throw errors::message_refused(op, name,
                                "device-mapper: ioctl: Target type does not support messages");
}

std::uint32_t FakeKernelBackend::wait_event(std::string_view name, std::uint32_t event_number) {
  constexpr std::string_view op = "wait";
  const Map& map = existing(op, name);
  step(op, name);
  if (map.event_number != event_number)
    return map.event_number;
  throw Error(ErrorKind::Failed,
              "wait " + std::string(name) + ": the fake cannot block; call raise_event() first");
}

}  // namespace mapperd
