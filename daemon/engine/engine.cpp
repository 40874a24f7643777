#include "engine.h"

#include <memory>
#include <utility>

#include "kernel/kernel_table.h"
#include "kernel_report.h"
#include "model/error.h"
#include "model/names.h"
#include "model/request_limits.h"
#include "model/table_limits.h"

namespace mapperd {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : ", ") + word;
  return text;
}

// What a kernel job leaves for its completion: the work's value or failure, and the kernel as it
// was right after.
template <class T>
struct JobResult {
  std::optional<T> value;
  std::exception_ptr error;
  std::vector<KernelMap> maps;
};

struct StartResult {
  std::string driver_version;
  std::vector<TargetVersion> targets;
};

std::string layer_name(const std::string& origin) {
  return origin + "-real";
}

class NobodyListens final : public EngineObserver {
 public:
  void map_added(const MapRecord&) override {}
  void map_changed(const MapRecord&, const std::vector<MapField>&) override {}
  void map_removed(const MapRecord&) override {}
  void map_renamed(const std::string&, const MapRecord&) override {}
  void targets_changed() override {}
};

EngineObserver& nobody_listens() {
  static NobodyListens observer;
  return observer;
}

}  // namespace

Engine::Engine(KernelThread& kernel, ZeroDeviceStart zero_device_start,
               const BlockDevices* block_devices)
    : kernel_(kernel),
      observer_(&nobody_listens()),
      zero_device_start_(std::move(zero_device_start)),
      block_devices_(block_devices) {}

void Engine::start(Completion<Done> done) {
  rescan(std::move(done));
}

void Engine::rescan(Completion<Done> done) {
  auto result = std::make_shared<JobResult<StartResult>>();
  kernel_.submit(
      [result](KernelBackend& kernel) {
        StartResult versions;
        versions.driver_version = kernel.driver_version();
        versions.targets = kernel.targets();
        result->value = std::move(versions);
        result->maps = read_all_maps(kernel);
      },
      [this, result, done = std::move(done)](std::exception_ptr error) {
        if (error)
          return done(Outcome<Done>::failure(error));
        driver_version_ = result->value->driver_version;
        if (targets_ != result->value->targets) {
          targets_ = result->value->targets;
          observer_->targets_changed();
        }
        apply(result->maps);
        done(Outcome<Done>::success({}));
      });
}

void Engine::request_rescan(Completion<Done> done) {
  next_rescan_waiters_.push_back(std::move(done));
  if (rescan_running_)
    return;
  rescan_running_ = true;
  rescan([this, waiters = std::exchange(next_rescan_waiters_, {})](Outcome<Done> outcome) {
    rescan_running_ = false;
    for (const Completion<Done>& waiter : waiters)
      waiter(outcome);
    // Whatever was requested while this one ran may have missed what it read.
    if (!next_rescan_waiters_.empty()) {
      auto pending = std::exchange(next_rescan_waiters_, {});
      for (Completion<Done>& waiter : pending)
        request_rescan(std::move(waiter));
    }
  });
}

std::vector<TableProblem> Engine::validate_table(std::string_view table) const {
  return check_table(table, table_context());
}

TableContext Engine::table_context() const {
  TableContext context;
  for (const TargetVersion& target : targets_) {
    // The model parses its typed targets itself; any other the kernel lists is passed through.
    if (!is_typed_target(target.name))
      context.passthrough_targets.insert(target.name);
  }
  context.devices = block_devices_;
  return context;
}

std::vector<TargetLine> Engine::checked_table(const std::string& operation,
                                              std::string_view text) const {
  TableContext syntax_only = table_context();
  syntax_only.devices = nullptr;
  const Table table = parse_table(text, syntax_only);
  if (block_devices_ == nullptr)
    return to_target_lines(table);
  // A device that is not there is its own error (the caller may plug it in and retry), told
  // apart from a table that is wrong in itself.
  for (const DeviceRef& device : referenced_devices(table)) {
    if (!block_devices_->resolve(device)) {
      throw Error(ErrorKind::DeviceMissing, operation + ": the table names " + device.text() +
                                                ", which is not a block device here");
    }
  }
  const std::vector<TableProblem> problems = check_table(text, table_context());
  if (!problems.empty()) {
    std::string message = operation + ": the table does not fit its devices:";
    for (const TableProblem& problem : problems)
      message += "\n" + problem.to_string();
    throw Error(ErrorKind::InvalidTable, message);
  }
  return to_target_lines(table);
}

const MapRecord& Engine::visible_map(const std::string& name) const {
  if (const MapRecord* record = catalog_.find_visible(name))
    return *record;
  if (const MapRecord* layer = catalog_.find(name)) {
    throw Error(ErrorKind::NotFound, "map '" + name + "' is the hidden snapshot layer of '" +
                                         layer->layer_of.value_or("") +
                                         "', not a map of its own; use '" +
                                         layer->layer_of.value_or("") + "' instead");
  }
  throw Error(ErrorKind::NotFound, "no map called '" + name + "'");
}

const MapRecord& Engine::owned_map(const std::string& name, std::string_view operation) const {
  const MapRecord& record = visible_map(name);
  if (!record.owned) {
    throw Error(ErrorKind::NotOwned, std::string(operation) + " " + name +
                                         ": the map belongs to another tool (UUID '" + record.uuid +
                                         "'); mapperd lists it but never changes it");
  }
  return record;
}

template <class T>
void Engine::run_operation(std::vector<std::string> names, std::function<KernelWork<T>()> check,
                           Completion<T> done) {
  operations_.run(std::move(names), [this, check = std::move(check),
                                     done = std::move(done)](OperationQueue::Ticket ticket) {
    KernelWork<T> work;
    try {
      work = check();
    } catch (...) {
      operations_.finish(ticket);
      return done(Outcome<T>::current_failure());
    }
    auto result = std::make_shared<JobResult<T>>();
    kernel_.submit(
        [work = std::move(work), result](KernelBackend& kernel) {
          try {
            result->value = work(kernel);
          } catch (...) {
            result->error = std::current_exception();
          }
          // Success or not, the catalog learns what the kernel has now: a failed step may have
          // been undone only in part, and the truth is what we show.
          result->maps = read_all_maps(kernel);
        },
        [this, result, ticket, done](std::exception_ptr read_error) {
          if (!read_error)
            apply(result->maps);
          operations_.finish(ticket);
          if (result->error)
            return done(Outcome<T>::failure(result->error));
          if (read_error)
            return done(Outcome<T>::failure(read_error));
          done(Outcome<T>::success(std::move(*result->value)));
        });
  });
}

void Engine::apply(const std::vector<KernelMap>& maps) {
  const std::vector<CatalogChange> plan =
      plan_reconciliation(catalog_.all(), records_from_kernel(maps), metadata_for_new_);
  for (const CatalogChange& change : plan) {
    const std::string& old_name =
        change.kind == CatalogChange::Kind::Renamed ? change.previous_name : change.record.name;
    std::optional<MapRecord> before;
    if (const MapRecord* known = catalog_.find(old_name))
      before = *known;
    catalog_.apply(change);
    if (change.kind == CatalogChange::Kind::Added)
      metadata_for_new_.erase(change.record.name);
    announce(change, before);
  }
}

void Engine::announce(const CatalogChange& change, const std::optional<MapRecord>& before) {
  const bool was_visible = before && !before->hidden();
  const bool is_visible = change.kind != CatalogChange::Kind::Removed && !change.record.hidden();
  if (was_visible && !is_visible)
    return observer_->map_removed(*before);
  if (!was_visible && is_visible)
    return observer_->map_added(change.record);
  if (!was_visible)
    return;
  switch (change.kind) {
    case CatalogChange::Kind::Renamed:
      observer_->map_renamed(change.previous_name, change.record);
      break;
    case CatalogChange::Kind::Changed:
      if (!change.fields.empty())
        observer_->map_changed(change.record, change.fields);
      break;
    case CatalogChange::Kind::Added:
    case CatalogChange::Kind::Removed:
      break;
  }
}

Completion<Done> Engine::then_report(const std::string& name, Completion<MapRecord> done) {
  return [this, name, done = std::move(done)](Outcome<Done> outcome) {
    // Consumed when the map appeared; a failed create must not leave it for a later map of that
    // name made by another tool.
    metadata_for_new_.erase(name);
    if (!outcome.ok())
      return done(Outcome<MapRecord>::failure(outcome.error()));
    const MapRecord* record = catalog_.find_visible(name);
    if (record == nullptr) {
      return done(Outcome<MapRecord>::failure(std::make_exception_ptr(Error(
          ErrorKind::Failed, "map '" + name + "' vanished right after the operation succeeded"))));
    }
    done(Outcome<MapRecord>::success(*record));
  };
}

void Engine::create_map(CreateMapRequest request, Completion<MapRecord> done) {
  const std::string name = request.name;
  auto check = [this, request = std::move(request)]() -> KernelWork<Done> {
    validate_map_name(request.name);
    if (catalog_.find(request.name) != nullptr) {
      throw Error(ErrorKind::AlreadyExists,
                  "create " + request.name + ": a map of that name exists");
    }
    CreateRequest kernel_request;
    kernel_request.name = request.name;
    kernel_request.uuid = owned_uuid(request.uuid);
    for (const auto& [other, record] : catalog_.all()) {
      if (record.uuid == kernel_request.uuid) {
        throw Error(ErrorKind::AlreadyExists, "create " + request.name + ": map '" + other +
                                                  "' already has UUID '" + record.uuid + "'");
      }
    }
    kernel_request.table = checked_table("create " + request.name, request.table);
    kernel_request.read_only = request.read_only;
    metadata_for_new_[request.name] = MapMetadata{request.persistent, request.caller_uid};
    return [kernel_request](KernelBackend& kernel) {
      kernel.create(kernel_request);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), then_report(name, std::move(done)));
}

void Engine::create_snapshot(CreateSnapshotRequest request, Completion<MapRecord> done) {
  const std::string name = request.name;
  const std::string layer = layer_name(request.origin);
  auto check = [this, request = std::move(request), layer]() -> KernelWork<Done> {
    const std::string what = "snapshot " + request.origin + " as " + request.name;
    validate_map_name(request.name);
    const MapRecord& origin = owned_map(request.origin, "snapshot");
    if (origin.origin) {
      throw Error(ErrorKind::InvalidArgument, what + ": '" + request.origin +
                                                  "' is itself a snapshot of '" + *origin.origin +
                                                  "'; snapshot the origin instead");
    }
    if (!origin.real_layer && !origin.snapshots.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  what + ": '" + request.origin +
                      "' is a snapshot-origin written by hand; add snapshots to it with CreateMap");
    }
    if (origin.state == MapState::Suspended) {
      throw Error(ErrorKind::Busy, what + ": the origin is suspended; resume it first");
    }
    if (catalog_.find(request.name) != nullptr) {
      throw Error(ErrorKind::AlreadyExists, what + ": a map called '" + request.name + "' exists");
    }
    if (!origin.real_layer) {
      if (layer.size() > kMaxNameBytes) {
        throw Error(ErrorKind::InvalidName,
                    what + ": the origin's snapshot layer would be called '" + layer + "', " +
                        std::to_string(layer.size()) + " bytes, past the limit of " +
                        std::to_string(kMaxNameBytes) + "; rename the origin first");
      }
      if (catalog_.find(layer) != nullptr) {
        throw Error(ErrorKind::AlreadyExists, what +
                                                  ": the origin's snapshot layer needs the name '" +
                                                  layer + "', which another map has");
      }
    }
    std::string why;
    const auto cow = DeviceRef::parse(request.cow_device, &why);
    if (!cow)
      throw Error(ErrorKind::InvalidArgument, what + ": COW device: " + why);
    const std::uint64_t chunk = request.chunk_size.count();
    if (chunk == 0 || (chunk & (chunk - 1)) != 0 || chunk > kMaxSnapshotChunkSectors) {
      throw Error(ErrorKind::InvalidArgument, what + ": chunk size " + std::to_string(chunk) +
                                                  " is not a power of two between 1 and " +
                                                  std::to_string(kMaxSnapshotChunkSectors) +
                                                  " sectors");
    }
    SnapshotSteps steps;
    steps.origin = request.origin;
    steps.real_layer = layer;
    steps.real_layer_exists = origin.real_layer.has_value();
    // LVM's convention: the layer's UUID is its origin's plus "-real", so it stays ours.
    steps.real_layer_uuid = origin.uuid + "-real";
    if (!steps.real_layer_exists)
      validate_uuid(steps.real_layer_uuid);
    steps.snapshot = request.name;
    steps.snapshot_uuid = owned_uuid("");
    steps.cow = *cow;
    steps.store = request.persistent ? SnapshotStore::Persistent : SnapshotStore::Transient;
    steps.chunk_size = request.chunk_size;
    // A transient COW does not survive a reboot, so neither can the snapshot.
    metadata_for_new_[request.name] = MapMetadata{request.persistent, request.caller_uid};
    return [steps, zero = zero_device_start_](KernelBackend& kernel) {
      create_snapshot_layers(kernel, steps, zero);
      return Done{};
    };
  };
  run_operation<Done>({request.origin, name, layer}, std::move(check),
                      then_report(name, std::move(done)));
}

void Engine::remove_map(std::string name, RemoveOptions options, Completion<Done> done) {
  // The names a removal may touch are known only from the catalog; lock the map and, through
  // it, whatever it relates to when the check runs (relations change only under these locks).
  std::vector<std::string> names{name};
  if (const MapRecord* record = catalog_.find_visible(name)) {
    if (record->origin) {
      names.push_back(*record->origin);
      names.push_back(layer_name(*record->origin));
    }
    if (record->real_layer)
      names.push_back(*record->real_layer);
  }
  auto check = [this, name, options]() -> KernelWork<Done> {
    const MapRecord& record = owned_map(name, "remove");
    if (!record.snapshots.empty()) {
      throw Error(ErrorKind::Busy, "remove " + name + ": it is the origin of snapshot(s) " +
                                       join(record.snapshots) + "; remove them first");
    }
    RemovalSteps steps;
    steps.name = name;
    steps.options = options;
    if (record.origin) {
      const MapRecord* origin = catalog_.find(*record.origin);
      if (origin && origin->real_layer && origin->snapshots == std::vector<std::string>{name}) {
        steps.fold_origin = origin->name;
        steps.fold_layer = origin->real_layer;
      }
    }
    if (record.real_layer)
      steps.layer_to_remove = record.real_layer;
    return [steps](KernelBackend& kernel) {
      remove_with_layers(kernel, steps);
      return Done{};
    };
  };
  run_operation<Done>(std::move(names), std::move(check), std::move(done));
}

void Engine::suspend_map(std::string name, bool noflush, Completion<Done> done) {
  auto check = [this, name, noflush]() -> KernelWork<Done> {
    owned_map(name, "suspend");
    return [name, noflush](KernelBackend& kernel) {
      kernel.suspend(name, noflush);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::resume_map(std::string name, Completion<Done> done) {
  auto check = [this, name]() -> KernelWork<Done> {
    owned_map(name, "resume");
    return [name](KernelBackend& kernel) {
      kernel.resume(name);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::reload_map(std::string name, std::string table, Completion<Done> done) {
  auto check = [this, name, table = std::move(table)]() -> KernelWork<Done> {
    const MapRecord& record = owned_map(name, "reload");
    if (record.real_layer || !record.snapshots.empty()) {
      throw Error(ErrorKind::Busy, "reload " + name + ": its table carries snapshot(s) " +
                                       join(record.snapshots) + "; remove them first");
    }
    std::vector<TargetLine> lines = checked_table("reload " + name, table);
    return [name, lines = std::move(lines)](KernelBackend& kernel) {
      kernel.reload(name, lines);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::rename_map(std::string name, std::string new_name, Completion<MapRecord> done) {
  std::vector<std::string> names{name, new_name, layer_name(name), layer_name(new_name)};
  auto check = [this, name, new_name]() -> KernelWork<Done> {
    const std::string what = "rename " + name + " to " + new_name;
    const MapRecord& record = owned_map(name, "rename");
    validate_map_name(new_name);
    if (catalog_.find(new_name) != nullptr) {
      throw Error(ErrorKind::AlreadyExists, what + ": a map of that name exists");
    }
    if (record.real_layer) {
      const std::string new_layer = layer_name(new_name);
      if (new_layer.size() > kMaxNameBytes) {
        throw Error(ErrorKind::InvalidName, what + ": its snapshot layer would be called '" +
                                                new_layer + "', past the limit of " +
                                                std::to_string(kMaxNameBytes) + " bytes");
      }
      if (catalog_.find(new_layer) != nullptr) {
        throw Error(ErrorKind::AlreadyExists, what + ": its snapshot layer needs the name '" +
                                                  new_layer + "', which is taken");
      }
    }
    return [name, new_name, layer = record.real_layer](KernelBackend& kernel) {
      rename_with_layer(kernel, name, new_name, layer);
      return Done{};
    };
  };
  run_operation<Done>(std::move(names), std::move(check), then_report(new_name, std::move(done)));
}

void Engine::send_message(std::string name, Sectors sector, std::string message,
                          Completion<std::string> done) {
  auto check = [this, name, sector, message = std::move(message)]() -> KernelWork<std::string> {
    if (message.size() > kMaxMessageBytes) {
      throw Error(ErrorKind::InvalidArgument,
                  "message " + name + ": the message is " + std::to_string(message.size()) +
                      " bytes; the limit is " + std::to_string(kMaxMessageBytes));
    }
    const MapRecord& record = owned_map(name, "message");
    if (sector >= record.size) {
      throw Error(ErrorKind::InvalidArgument, "message " + name + ": sector " + to_string(sector) +
                                                  " is past the map's end (" +
                                                  to_string(record.size) + " sectors)");
    }
    return [name, sector, message](KernelBackend& kernel) {
      return kernel.message(name, sector, message);
    };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

void Engine::read_status(std::string name, Completion<std::string> done) {
  auto check = [this, name]() -> KernelWork<std::string> {
    visible_map(name);
    return [name](KernelBackend& kernel) { return format_status_lines(kernel.status(name)); };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

}  // namespace mapperd
