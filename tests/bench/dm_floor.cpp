// The floors mapperd is measured against: maps made and removed with libdevmapper directly, as
// a program written for the job would, in three ways:
//   each    one udev cookie per map, waited for before the next (what dmsetup does per call)
//   batch   one cookie for all the maps, waited for once (LVM activating a volume group)
//   nosync  no udev synchronisation at all (nothing waits for /dev/mapper links)
//
// Usage: mapperd-bench-floor create|remove each|batch|nosync PREFIX COUNT [TABLE]
// Maps are PREFIX0 .. PREFIX<COUNT-1>; TABLE (one line, default "0 8 zero") is each map's.
// Prints nothing; exits 1 with libdevmapper's complaint when a call fails. The caller times it.
#include <libdevmapper.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

struct Line {
  std::uint64_t start = 0;
  std::uint64_t length = 0;
  std::string type;
  std::string params;
};

Line parse_line(const std::string& text) {
  std::istringstream in(text);
  Line line;
  in >> line.start >> line.length >> line.type;
  std::getline(in >> std::ws, line.params);
  return line;
}

// One task: create (with its table) or remove `name`, its uevent counted on `cookie` when given.
bool run_task(int type, const std::string& name, const Line* line, std::uint32_t* cookie) {
  dm_task* task = dm_task_create(type);
  if (task == nullptr)
    return false;
  bool ok = dm_task_set_name(task, name.c_str()) != 0;
  if (ok && line != nullptr)
    ok = dm_task_add_target(task, line->start, line->length, line->type.c_str(),
                            line->params.c_str()) != 0;
  if (ok && cookie != nullptr)
    ok = dm_task_set_cookie(task, cookie, DM_UDEV_DISABLE_LIBRARY_FALLBACK) != 0;
  if (ok)
    ok = dm_task_run(task) != 0;
  dm_task_destroy(task);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fputs("usage: mapperd-bench-floor create|remove each|batch|nosync PREFIX COUNT [TABLE]\n",
               stderr);
    return 2;
  }
  const std::string action = argv[1];
  const std::string mode = argv[2];
  const std::string prefix = argv[3];
  const int count = std::atoi(argv[4]);
  const Line line = parse_line(argc > 5 ? argv[5] : "0 8 zero");
  const bool create = action == "create";
  const int type = create ? DM_DEVICE_CREATE : DM_DEVICE_REMOVE;

  if (mode == "nosync")
    dm_udev_set_sync_support(0);
  std::uint32_t batch_cookie = 0;
  for (int i = 0; i < count; ++i) {
    const std::string name = prefix + std::to_string(i);
    std::uint32_t own_cookie = 0;
    std::uint32_t* cookie = mode == "each" ? &own_cookie : mode == "batch" ? &batch_cookie : nullptr;
    if (!run_task(type, name, create ? &line : nullptr, cookie)) {
      std::fprintf(stderr, "mapperd-bench-floor: %s %s failed\n", action.c_str(), name.c_str());
      return 1;
    }
    if (mode == "each" && !dm_udev_wait(own_cookie))
      return 1;
  }
  if (mode == "batch" && count > 0 && !dm_udev_wait(batch_cookie))
    return 1;
  return 0;
}
