// The engine's plumbing: the constructor, run_operation() (the check, the kernel job, the report
// after it) and the guards every use case starts with. The use cases live beside it, one room
// each: engine_maps.cpp (map lifecycle), engine_snapshots.cpp, engine_loops.cpp,
// engine_restore.cpp (restore and rescan scheduling) and engine_catalog.cpp (the catalog update
// and its announcements).

#include "engine.h"

#include <memory>
#include <set>
#include <utility>

#include "model/error.h"

namespace mapperd {
namespace {

// What a kernel job leaves for its completion: the work's value or failure, and the kernel as it
// was right after.
template <class T>
struct JobResult {
  std::optional<T> value;
  std::exception_ptr error;
  KernelReading reading;
  StoreDelta delta;
};

bool is_timed_out(const std::exception_ptr& error) {
  if (!error)
    return false;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.kind() == ErrorKind::TimedOut;
  } catch (...) {
    return false;
  }
}

// The maps an operation's queue names are the maps it may change: what the kernel is asked about
// once it ran. Names of locks that are not maps (Engine::kLoopsLock) start with '/', which no
// map name holds.
std::set<std::string> maps_among(const std::vector<std::string>& names) {
  std::set<std::string> maps;
  for (const std::string& name : names) {
    if (!name.starts_with('/'))
      maps.insert(name);
  }
  return maps;
}

class NobodyListens final : public EngineObserver {
 public:
  void map_added(const MapRecord&) override {}
  void map_changed(const MapRecord&, const std::vector<MapField>&) override {}
  void map_removed(const MapRecord&) override {}
  void map_renamed(const std::string&, const MapRecord&) override {}
  void targets_changed() override {}
  void loop_added(const LoopRecord&) override {}
  void loop_removed(const LoopRecord&) override {}
};

EngineObserver& nobody_listens() {
  static NobodyListens observer;
  return observer;
}

}  // namespace

Engine::Engine(KernelThread& kernel, ZeroDeviceStart zero_device_start,
               const BlockDevices* block_devices, EngineStorage storage)
    : kernel_(kernel),
      observer_(&nobody_listens()),
      zero_device_start_(std::move(zero_device_start)),
      block_devices_(block_devices),
      storage_(storage) {}

template <class T>
void Engine::run_operation(std::vector<std::string> names, std::function<Plan<T>()> check,
                           Completion<T> done) {
  std::set<std::string> to_read = maps_among(names);
  // The queue may start it later, from another operation's completion: its client goes along.
  operations_.run(std::move(names), [this, client = KernelThread::current_lane(),
                                     check = std::move(check), to_read = std::move(to_read),
                                     done = std::move(done)](OperationQueue::Ticket ticket) {
    const ClientScope on_behalf_of(client);
    std::optional<Plan<T>> plan;
    try {
      plan.emplace(check());
    } catch (...) {
      operations_.finish(ticket);
      return done(Outcome<T>::current_failure());
    }
    auto result = std::make_shared<JobResult<T>>();
    // What the job did, taken into the definitions and the catalog: when it returns in time,
    // and also when it outlived its deadline, since it went on in the kernel and wrote the store
    // as it went (the rescan the late return asks for then reads the kernel again).
    auto take_in = [this, result, commit = std::move(plan->commit)](std::exception_ptr read_error) {
      apply(result->delta);
      if (result->value && commit)
        commit();
      if (!read_error)
        apply(result->reading);
    };
    kernel_.submit(
        std::string(),
        [this, work = std::move(plan->work), to_read, result](KernelBackend& kernel) {
          StoreWriter store(storage_, result->delta);
          try {
            result->value = work(kernel, store);
          } catch (...) {
            result->error = std::current_exception();
          }
          // Success or not, the catalog learns what the kernel has now: a failed step may have
          // been undone only in part, and the truth is what we show. Only the maps the
          // operation names can have changed through it.
          result->reading = read_names(kernel, to_read);
        },
        [this, result, ticket, take_in, done](std::exception_ptr read_error) {
          if (is_timed_out(read_error)) {
            // The job still runs on the blocked kernel thread and owns `result` until it
            // returns, late; take_in then runs as its `late`.
            operations_.finish(ticket);
            return done(Outcome<T>::failure(read_error));
          }
          take_in(read_error);
          operations_.finish(ticket);
          if (result->error)
            return done(Outcome<T>::failure(result->error));
          if (read_error)
            return done(Outcome<T>::failure(read_error));
          done(Outcome<T>::success(std::move(*result->value)));
        },
        take_in);
  });
}

// The result types of the use cases: each room runs its operations through one of these.
template void Engine::run_operation<Done>(std::vector<std::string>, std::function<Plan<Done>()>,
                                          Completion<Done>);
template void Engine::run_operation<std::string>(std::vector<std::string>,
                                                 std::function<Plan<std::string>()>,
                                                 Completion<std::string>);
template void Engine::run_operation<Engine::BatchMade>(std::vector<std::string>,
                                                       std::function<Plan<BatchMade>()>,
                                                       Completion<BatchMade>);
template void Engine::run_operation<LoopRecord>(std::vector<std::string>,
                                                std::function<Plan<LoopRecord>()>,
                                                Completion<LoopRecord>);

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

const MapRecord& Engine::running_map(const std::string& name, std::string_view operation) const {
  const MapRecord& record = owned_map(name, operation);
  // A stored map waiting for its devices exists only as a definition: nothing to act on yet.
  if (record.device == DeviceNumber{}) {
    throw Error(ErrorKind::DeviceMissing,
                std::string(operation) + " " + record.name +
                    ": the map is stored but not running (it waits for its devices; see "
                    "'mapperctl definitions')");
  }
  return record;
}

}  // namespace mapperd
