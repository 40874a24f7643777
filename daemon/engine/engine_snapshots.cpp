// Snapshots: a snapshot of an origin, made as LVM makes one (kernel_steps.h). Removing one, and
// folding the origin's layer back after the last, is remove_map() in engine_maps.cpp.

#include <utility>

#include "definition_steps.h"
#include "engine.h"
#include "model/error.h"
#include "model/names.h"
#include "model/table_limits.h"
#include "recovery.h"

namespace mapperd {

void Engine::create_snapshot(CreateSnapshotRequest request, Completion<MapRecord> done) {
  if (request.cow_file)
    return create_snapshot_on_cow_file(std::move(request), std::move(done));
  // Taken before `request` moves into the check: the queue must hold the origin's own name.
  const std::string name = request.name;
  const std::string origin_name = request.origin;
  const std::string layer = snapshot_layer_name(request.origin);
  auto check = [this, request = std::move(request), layer]() -> Plan<Done> {
    const std::string what = "snapshot " + request.origin + " as " + request.name;
    validate_map_name(request.name);
    if (const auto problem = policy_problem(request.policy))
      throw Error(ErrorKind::InvalidArgument, what + ": " + *problem);
    const MapRecord& origin = running_map(request.origin, "snapshot");
    require_no_job(request.origin, "snapshot");
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
    // Its first chunk is zeroed, then every write to the origin is copied to it.
    refuse_a_map_on_itself(what, request.origin, {*cow}, ErrorKind::InvalidArgument);
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
    steps.snapshot_uuid = request.uuid.empty() ? owned_uuid("") : request.uuid;
    steps.cow = *cow;
    steps.store = request.persistent ? SnapshotStore::Persistent : SnapshotStore::Transient;
    steps.chunk_size = request.chunk_size;
    // A transient COW does not survive a reboot, so neither can the snapshot; nor can a
    // snapshot of an origin that is not stored.
    const bool stored = request.persistent && definitions_.contains(request.origin);
    OperationIntent intent{.id = "",
                           .kind = std::string(stored ? kSnapshotIntent : kTransientSnapshotIntent),
                           .maps = {steps.origin, steps.real_layer, steps.snapshot},
                           .to_save = {},
                           .to_remove = {}};
    if (!steps.real_layer_exists)
      intent.to_remove.push_back(steps.real_layer);
    auto work = [steps, intent, stored, uid = request.caller_uid,
                 origin_uid = origin.created_by_uid, policy = request.policy,
                 zero = zero_device_start_](KernelBackend& kernel, StoreWriter& store) {
      IntentScope scope(store.storage(), intent);
      create_snapshot_layers(kernel, steps, zero);
      if (!stored) {
        store.save_facts(RuntimeMapFacts{.uuid = steps.snapshot_uuid,
                                         .persistent = false,
                                         .created_by_uid = uid,
                                         .deactivated = false,
                                         .snapshot_policy = policy});
        return Done{};
      }
      // The three maps as they run now; the origin's table names its layer by the layer's UUID.
      for (const auto& [name, owner] :
           {std::pair{steps.real_layer, origin_uid}, std::pair{steps.origin, origin_uid},
            std::pair{steps.snapshot, uid}}) {
        if (store.enabled()) {
          if (auto definition = define_from_kernel(kernel, store.storage(), name, owner)) {
            if (name == steps.snapshot)
              definition->snapshot_policy = policy;
            store.save(*definition);
          }
        }
      }
      return Done{};
    };
    auto commit = [this, name = request.name,
                   metadata = MapMetadata{stored, request.caller_uid, false, request.policy}]() {
      metadata_for_new_[name] = metadata;
    };
    return Plan<Done>(std::move(work), std::move(commit));
  };
  run_operation<Done>({origin_name, name, layer}, std::move(check),
                      then_report(name, std::move(done)));
}

}  // namespace mapperd
