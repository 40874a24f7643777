#pragma once
// Bringing stored maps and loops up: at boot (mapperd --restore), when the daemon starts, and
// whenever a device or a filesystem appears. Runs on the kernel thread. Maps that are already in
// the kernel are adopted, never made twice; maps whose devices are missing wait.

#include <chrono>
#include <string>
#include <vector>

#include "engine_storage.h"
#include "kernel/kernel_backend.h"
#include "loop_record.h"
#include "model/table_parser.h"
#include "store/map_definition.h"

namespace mapperd {

struct RestoreReport {
  struct Waiting {
    std::string name;
    std::vector<std::string> missing;  // describe_device() of each
  };
  struct Failure {
    std::string name;  // a map's name, or a loop's backing file
    std::string error;
  };
  std::vector<std::string> created;
  std::vector<std::string> adopted;
  std::vector<Waiting> pending;
  std::vector<Failure> failed;
  // Stored and running disagree (adopted anyway, the kernel wins until the user acts).
  std::vector<std::string> differences;

  // Loops bound now or found already bound, and loops whose file is not there yet.
  std::vector<LoopRecord> loops;
  std::vector<Waiting> waiting_loops;
  std::vector<Failure> failed_loops;

  // Found when the pass started (start only): unreadable state files moved aside, operations a
  // crash cut short and what recovery did about them.
  std::vector<std::string> quarantined;
  std::vector<std::string> recovered;
  std::vector<std::string> recovery_failures;
  // COW files no snapshot has any more, deleted (sweep_cow_files()).
  std::vector<std::string> swept_cow_files;
  // Running maps put back on devices that had vanished under them and came back
  // (put_back_on_devices()).
  std::vector<std::string> repaired;
  std::vector<Failure> not_repaired;

  std::chrono::milliseconds took{0};

  bool changed_anything() const { return !created.empty() || !repaired.empty(); }
};

// Definitions in the order they can be made: every map after the maps its table uses (named by
// map UUID), and snapshots after the origin over the same layer; otherwise by name. A map that
// uses a map of no definition keeps its place (that map may be in the kernel already); a cycle
// is broken by name order and fails at create time. Quadratic in the number of definitions,
// which is fine for hundreds.
std::vector<MapDefinition> restore_order(std::vector<MapDefinition> definitions);

// Binds every stored loop that is not bound yet. A file that is missing waits (its filesystem
// may not be mounted yet); a file that is now another inode is refused. Needs storage.loops.
void restore_loops(const EngineStorage& storage, const std::vector<LoopDefinition>& loops,
                   RestoreReport& report);

// Makes every stored map that is not in the kernel and whose devices are all there, in
// restore_order(); never zeroes anything (a snapshot's COW keeps its data).
void restore_maps(KernelBackend& kernel, const EngineStorage& storage,
                  const std::vector<MapDefinition>& definitions, const TableContext& syntax,
                  RestoreReport& report);

// At start, once every stored definition was read: deletes the COW files (CowFiles) that no
// stored map, no running map and no bound loop has (a transient snapshot's, after a reboot; one
// made just before a crash), noting each in `report.swept_cow_files`.
void sweep_cow_files(KernelBackend& kernel, const EngineStorage& storage,
                     const std::vector<MapDefinition>& definitions, RestoreReport& report);

}  // namespace mapperd
