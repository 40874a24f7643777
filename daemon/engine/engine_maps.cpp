// Map lifecycle: create, remove, suspend, resume, reload, rename, message, status, and the
// table check the bus offers on its own (ValidateTable). Snapshots are in engine_snapshots.cpp.

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "comma_list.h"
#include "definition_steps.h"
#include "engine.h"
#include "kernel_report.h"
#include "model/error.h"
#include "model/names.h"
#include "model/request_limits.h"
#include "recovery.h"
#include "table_checks.h"

namespace mapperd {

std::vector<TableProblem> Engine::validate_table(std::string_view table) const {
  return check_table(table, table_context(targets_, block_devices_));
}

void Engine::create_map(CreateMapRequest request, Completion<MapRecord> done) {
  const std::string name = request.name;
  auto check = [this, request = std::move(request)]() { return check_create(request); };
  run_operation<Done>({name}, std::move(check), then_report(name, std::move(done)));
}

Engine::Plan<Done> Engine::check_create(const CreateMapRequest& request) {
  const std::string what = "create " + request.name;
  validate_map_name(request.name);
  if (catalog_.find(request.name) != nullptr || definitions_.contains(request.name)) {
    throw Error(ErrorKind::AlreadyExists,
                what + ": a map of that name exists" +
                    (catalog_.find(request.name) == nullptr ? " (stored, not running; see "
                                                              "'mapperctl definitions')"
                                                            : ""));
  }
  if (request.wait_for_devices && !request.persistent) {
    throw Error(ErrorKind::InvalidArgument,
                what + ": wait-for-devices needs a persistent map (only a stored map can wait)");
  }
  if (request.wait_for_devices && !storage_.enabled()) {
    throw Error(ErrorKind::InvalidArgument,
                what + ": wait-for-devices needs mapperd's definition store, which is off");
  }
  CreateRequest kernel_request;
  kernel_request.name = request.name;
  kernel_request.uuid = owned_uuid(request.uuid);
  for (const auto& [other, record] : catalog_.all()) {
    if (record.uuid == kernel_request.uuid) {
      throw Error(ErrorKind::AlreadyExists,
                  what + ": map '" + other + "' already has UUID '" + record.uuid + "'");
    }
  }
  const TableContext syntax = table_context(targets_);
  std::vector<std::string> missing;
  if (request.wait_for_devices) {
    const Table table = parse_table(request.table, syntax);
    for (const DeviceRef& device : referenced_devices(table)) {
      if (!block_devices_ || !block_devices_->resolve(device))
        missing.push_back(device.text());
    }
  }
  const bool devices_missing = !missing.empty();
  if (!devices_missing)
    kernel_request.table = checked_table(what, request.table, targets_, block_devices_);
  kernel_request.read_only = request.read_only;
  MapDefinition definition{.name = request.name,
                           .uuid = kernel_request.uuid,
                           .table = request.table,
                           .read_only = request.read_only,
                           .created_by_uid = request.caller_uid,
                           .devices = {}};
  auto work = [kernel_request, definition, syntax, devices_missing,
               persistent = request.persistent](KernelBackend& kernel, StoreWriter& store) mutable {
    if (persistent && store.enabled()) {
      definition.devices =
          identify_devices(parse_table(definition.table, syntax), store.storage(), devices_missing);
    }
    if (devices_missing) {
      // Stored only: the map waits for its devices (request_restore() makes it).
      store.save(definition);
      return Done{};
    }
    OperationIntent intent{.id = "",
                           .kind = std::string(kCreateIntent),
                           .maps = {definition.name},
                           .to_save = {},
                           .to_remove = {}};
    if (persistent)
      intent.to_save.push_back(definition);
    IntentScope scope(store.storage(), intent);
    kernel.create(kernel_request);
    try {
      if (persistent)
        store.save(definition);
      else
        store.save_facts(RuntimeMapFacts{.uuid = definition.uuid,
                                         .persistent = false,
                                         .created_by_uid = definition.created_by_uid});
    } catch (...) {
      // Nothing is half-kept: a map that could not be stored is not left running.
      kernel.remove(definition.name);
      throw;
    }
    return Done{};
  };
  auto commit = [this, name = request.name, missing = std::move(missing),
                 metadata = MapMetadata{request.persistent, request.caller_uid}]() {
    metadata_for_new_[name] = metadata;
    // What MissingDevices and definitions() say until a restore pass looks again.
    if (!missing.empty())
      missing_[name] = missing;
  };
  return Plan<Done>(std::move(work), std::move(commit));
}

std::vector<std::string> Engine::removal_locks(const std::string& name) const {
  // The names a removal may touch are known only from the catalog; lock the map and, through
  // it, whatever it relates to when the check runs (relations change only under these locks).
  std::vector<std::string> names{name};
  if (const MapRecord* record = catalog_.find_visible(name)) {
    if (record->origin) {
      names.push_back(*record->origin);
      names.push_back(snapshot_layer_name(*record->origin));
    }
    if (record->real_layer)
      names.push_back(*record->real_layer);
  }
  return names;
}

std::vector<std::string> Engine::with_their_snapshots(std::vector<std::string> names) const {
  // Read from the catalog when the call arrives; the batch's check, under the locks, refuses an
  // origin that gained a snapshot since (Busy, naming it), so nothing is left behind unseen.
  const std::set<std::string> asked(names.begin(), names.end());
  std::vector<std::string> snapshots;
  for (const std::string& name : names) {
    if (const MapRecord* record = catalog_.find_visible(name)) {
      for (const std::string& snapshot : record->snapshots) {
        if (!asked.contains(snapshot))
          snapshots.push_back(snapshot);
      }
    }
  }
  names.insert(names.end(), snapshots.begin(), snapshots.end());
  return names;
}

void Engine::remove_map(RemoveMapRequest request, Completion<Done> done) {
  if (request.with_snapshots) {
    std::vector<std::string> batch = with_their_snapshots({request.name});
    if (batch.size() > 1)
      return remove_maps(std::move(batch), std::move(request), std::move(done));
  }
  std::vector<std::string> names = removal_locks(request.name);
  auto check = [this, request = std::move(request)]() { return check_remove(request, {}); };
  run_operation<Done>(std::move(names), std::move(check), std::move(done));
}

Engine::KernelWork<Done> Engine::check_remove(const RemoveMapRequest& request,
                                              const std::set<std::string>& removed_before) const {
  const std::string& name = request.name;
  const MapRecord& record = owned_map(name, "remove");
  require_no_job(name, "remove");
  if (record.state == MapState::Pending && record.device == DeviceNumber{}) {
    // Stored, never made: removing it is dropping its definition.
    if (request.keep_definition) {
      throw Error(ErrorKind::InvalidArgument,
                  "remove " + name +
                      ": it is not running, so there is nothing to deactivate; "
                      "without keep-definition its definition is dropped");
    }
    return [name](KernelBackend&, StoreWriter& store) {
      store.remove(name);
      return Done{};
    };
  }
  std::vector<std::string> snapshots_left;
  for (const std::string& snapshot : record.snapshots) {
    if (!removed_before.contains(snapshot))
      snapshots_left.push_back(snapshot);
  }
  if (!snapshots_left.empty()) {
    throw Error(ErrorKind::Busy, "remove " + name + ": it is the origin of snapshot(s) " +
                                     comma_list(snapshots_left) +
                                     "; remove them first, or remove with-snapshots");
  }
  const bool stored = definitions_.contains(name);
  if (request.keep_definition && !stored) {
    throw Error(ErrorKind::InvalidArgument,
                "remove " + name + ": keep-definition asks to keep a stored definition, and '" +
                    name + "' is not persistent");
  }
  RemovalSteps steps;
  steps.name = name;
  steps.options = request.kernel;
  OperationIntent intent{
      .id = "", .kind = std::string(kRemoveIntent), .maps = {name}, .to_save = {}, .to_remove = {}};
  if (!request.keep_definition)
    intent.to_remove.push_back(name);
  if (record.origin) {
    const MapRecord* origin = catalog_.find(*record.origin);
    std::vector<std::string> origin_snapshots_left;
    if (origin) {
      for (const std::string& snapshot : origin->snapshots) {
        if (!removed_before.contains(snapshot))
          origin_snapshots_left.push_back(snapshot);
      }
    }
    if (origin && origin->real_layer && origin_snapshots_left == std::vector<std::string>{name}) {
      steps.fold_origin = origin->name;
      steps.fold_layer = origin->real_layer;
      intent.maps.push_back(*origin->real_layer);
      intent.to_remove.push_back(*origin->real_layer);
      if (const auto stored_origin = definitions_.find(origin->name);
          stored_origin != definitions_.end()) {
        intent.maps.push_back(origin->name);
        intent.to_save.push_back(stored_origin->second);
      }
    }
  }
  // With snapshots removed before it in the same batch, the last of them folded the layer.
  if (record.real_layer && record.snapshots.empty()) {
    steps.layer_to_remove = record.real_layer;
    intent.maps.push_back(*record.real_layer);
    intent.to_remove.push_back(*record.real_layer);
  }
  return [steps, intent, uuid = record.uuid, keep = request.keep_definition](KernelBackend& kernel,
                                                                             StoreWriter& store) {
    IntentScope scope(store.storage(), intent);
    remove_with_layers(kernel, steps);
    for (const std::string& gone : intent.to_remove)
      store.remove(gone);
    for (const MapDefinition& folded : intent.to_save) {
      if (store.enabled()) {
        if (const auto now =
                define_from_kernel(kernel, store.storage(), folded.name, folded.created_by_uid))
          store.save(*now);
      }
    }
    if (keep)
      store.save_facts(RuntimeMapFacts{.uuid = uuid, .persistent = true, .deactivated = true});
    else
      store.remove_facts(uuid);
    return Done{};
  };
}

void Engine::suspend_map(std::string name, bool noflush, Completion<Done> done) {
  auto check = [this, name, noflush]() -> KernelWork<Done> {
    running_map(name, "suspend");
    return [name, noflush](KernelBackend& kernel, StoreWriter&) {
      kernel.suspend(name, noflush);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::resume_map(std::string name, Completion<Done> done) {
  auto check = [this, name]() -> KernelWork<Done> {
    running_map(name, "resume");
    return [name](KernelBackend& kernel, StoreWriter&) {
      kernel.resume(name);
      return Done{};
    };
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::refuse_a_map_on_itself(const std::string& what, const std::string& name,
                                    const std::vector<DeviceRef>& devices, ErrorKind kind) const {
  if (block_devices_ == nullptr)
    return;
  for (const DeviceRef& device : devices) {
    const std::optional<DeviceNumber> number = block_devices_->resolve(device);
    const MapRecord* top = number ? catalog_.on_top_of(*number, name) : nullptr;
    if (top == nullptr)
      continue;
    throw Error(kind, what + ": " + device.text() + " is " +
                          (top->name == name ? name + " itself"
                                             : "'" + top->name + "', which sits on " + name) +
                          "; a map cannot sit on itself (the kernel would recurse through it "
                          "until it crashed)");
  }
}

void Engine::reload_map(std::string name, std::string table, Completion<Done> done) {
  auto check = [this, name, table = std::move(table)]() -> Plan<Done> {
    const MapRecord& record = running_map(name, "reload");
    require_no_job(name, "reload");
    if (record.real_layer || !record.snapshots.empty()) {
      throw Error(ErrorKind::Busy, "reload " + name + ": its table carries snapshot(s) " +
                                       comma_list(record.snapshots) + "; remove them first");
    }
    std::vector<TargetLine> lines =
        checked_table("reload " + name, table, targets_, block_devices_);
    refuse_a_map_on_itself("reload " + name, name,
                           referenced_devices(parse_table(table, table_context(targets_))),
                           ErrorKind::InvalidTable);
    std::optional<MapDefinition> definition;
    if (const auto stored = definitions_.find(name); stored != definitions_.end()) {
      definition = stored->second;
      definition->table = table;
    }
    const TableContext syntax = table_context(targets_);
    std::set<DeviceNumber> lost;
    if (const auto found = lost_devices_.find(name);
        found != lost_devices_.end() && found->second.uuid == record.uuid)
      lost = found->second.devices;
    KernelWork<Done> work = [name, lines = std::move(lines), definition, syntax, lost](
                                KernelBackend& kernel, StoreWriter& store) mutable {
      OperationIntent intent{.id = "",
                             .kind = std::string(kReloadIntent),
                             .maps = {name},
                             .to_save = {},
                             .to_remove = {}};
      if (definition && store.enabled()) {
        definition->devices =
            identify_devices(parse_table(definition->table, syntax), store.storage(), false);
        intent.to_save.push_back(*definition);
      }
      IntentScope scope(store.storage(), intent);
      // Devices that vanished under the map must be let go of first, or a table naming their
      // numbers again gets the dead devices back (device_return.h).
      if (!lost.empty()) {
        const std::vector<TargetLine> running = kernel.table(name);
        if (const auto interim = without_lost_devices(running, lost); interim != running)
          kernel.reload(name, interim);
      }
      kernel.reload(name, lines);
      if (definition)
        store.save(*definition);
      return Done{};
    };
    return Plan<Done>(std::move(work), [this, name] { lost_devices_.erase(name); });
  };
  run_operation<Done>({name}, std::move(check), std::move(done));
}

void Engine::rename_map(std::string name, std::string new_name, Completion<MapRecord> done) {
  std::vector<std::string> names{name, new_name, snapshot_layer_name(name),
                                 snapshot_layer_name(new_name)};
  auto check = [this, name, new_name]() -> KernelWork<Done> {
    const std::string what = "rename " + name + " to " + new_name;
    const MapRecord& record = running_map(name, "rename");
    require_no_job(name, "rename");
    validate_map_name(new_name);
    if (catalog_.find(new_name) != nullptr || definitions_.contains(new_name)) {
      throw Error(ErrorKind::AlreadyExists, what + ": a map of that name exists");
    }
    if (record.real_layer) {
      const std::string new_layer = snapshot_layer_name(new_name);
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
    OperationIntent intent{.id = "",
                           .kind = std::string(kRenameIntent),
                           .maps = {name, new_name},
                           .to_save = {},
                           .to_remove = {}};
    for (const auto& [from, to] :
         {std::pair{name, new_name},
          std::pair{snapshot_layer_name(name), snapshot_layer_name(new_name)}}) {
      if (const auto stored = definitions_.find(from); stored != definitions_.end()) {
        MapDefinition renamed = stored->second;
        renamed.name = to;
        intent.to_save.push_back(renamed);
        intent.to_remove.push_back(from);
      }
    }
    return [name, new_name, layer = record.real_layer, intent](KernelBackend& kernel,
                                                               StoreWriter& store) {
      IntentScope scope(store.storage(), intent);
      rename_with_layer(kernel, name, new_name, layer);
      for (std::size_t i = 0; i < intent.to_save.size(); ++i)
        store.rename(intent.to_remove[i], intent.to_save[i]);
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
    const MapRecord& record = running_map(name, "message");
    if (sector >= record.size) {
      throw Error(ErrorKind::InvalidArgument, "message " + name + ": sector " + to_string(sector) +
                                                  " is past the map's end (" +
                                                  to_string(record.size) + " sectors)");
    }
    return [name, sector, message](KernelBackend& kernel, StoreWriter&) {
      return kernel.message(name, sector, message);
    };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

void Engine::read_status(std::string name, Completion<std::string> done) {
  auto check = [this, name]() -> KernelWork<std::string> {
    // Another tool's thin pool or cache would commit its metadata for a flushing status read:
    // reading must not make us write to what is not ours.
    const bool noflush = !visible_map(name).owned;
    return [name, noflush](KernelBackend& kernel, StoreWriter&) {
      return format_status_lines(kernel.status(name, noflush));
    };
  };
  run_operation<std::string>({name}, std::move(check), std::move(done));
}

}  // namespace mapperd
