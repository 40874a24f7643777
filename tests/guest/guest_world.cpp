#include "guest_world.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kernel/kernel_table.h"
#include "model/error.h"
#include "model/names.h"
#include "model/table_parser.h"

namespace mapperd::guest {
namespace {

GuestWorld* g_world = nullptr;

// Debian's udev makes /dev/mapper/NAME a symlink to ../dm-N.
void check_dev_mapper(std::string_view prefix, std::vector<std::string>& leaks) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/mapper", error)) {
    const std::string name = entry.path().filename().string();
    if (name == "control")
      continue;
    if (name.starts_with(prefix))
      leaks.push_back(entry.path().string() + " is still there");
    std::error_code ignored;
    if (entry.is_symlink(ignored) && !std::filesystem::exists(entry.path(), ignored)) {
      leaks.push_back(entry.path().string() + " is a dangling link");
    }
  }
}

void check_semaphores(int semaphores_before, std::vector<std::string>& leaks) {
  // Columns: key semid perms nsems ...; device-mapper's cookies have 0x0D4D in the key's top half.
  std::ifstream table("/proc/sysvipc/sem");
  std::string line;
  std::getline(table, line);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    long long key = 0;
    if (fields >> key && ((static_cast<unsigned long long>(key) >> 16) & 0xffff) == 0x0d4d) {
      leaks.push_back("udev cookie semaphore left: " + line);
    }
  }
  const int now = count_semaphores();
  if (now > semaphores_before) {
    leaks.push_back(std::to_string(now) + " SysV semaphores, " + std::to_string(semaphores_before) +
                    " before the suite");
  }
}

}  // namespace

std::set<std::string> bound_loops() {
  std::set<std::string> loops;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/block", error)) {
    std::ifstream backing(entry.path() / "loop" / "backing_file");
    std::string file;
    if (std::getline(backing, file))
      loops.insert("/dev/" + entry.path().filename().string() + " (" + file + ")");
  }
  return loops;
}

std::vector<std::string> suspended_maps(KernelBackend& backend) {
  std::vector<std::string> suspended;
  for (const MapListing& map : backend.list()) {
    try {
      if (const auto info = backend.info(map.name); info && info->suspended)
        suspended.push_back(map.name);
    } catch (const Error&) {
      // Gone while we looked: not suspended.
    }
  }
  return suspended;
}

GuestWorld& GuestWorld::get() {
  if (g_world == nullptr)
    throw std::logic_error("the guest world exists only while tests run");
  return *g_world;
}

GuestWorld::GuestWorld()
    : backend_(std::make_unique<DmBackend>(udev_)), semaphores_before_(count_semaphores()) {
  disks_.push_back(std::make_unique<LoopDevice>("disk0", 16384 * kSectorBytes));
  disks_.push_back(std::make_unique<LoopDevice>("disk1", 24576 * kSectorBytes));
}

GuestWorld::~GuestWorld() = default;

void GuestWorld::remake_backend(const DmBackendOptions& options) {
  backend_.reset();  // one at a time
  backend_ = std::make_unique<DmBackend>(udev_, options);
}

void GuestEnvironment::SetUp() {
  g_world = new GuestWorld();
}

void GuestEnvironment::TearDown() {
  for (const std::string& cookie : dmsetup_udev_cookies()) {
    ADD_FAILURE() << "dmsetup udevcookies lists a cookie the suite left: " << cookie;
  }
  delete g_world;
  g_world = nullptr;
}

std::vector<std::string> dmsetup_udev_cookies() {
  // A header line, then one line per cookie semaphore.
  const CommandResult cookies = run_command("dmsetup udevcookies 2>&1");
  if (cookies.status != 0)
    return {"dmsetup udevcookies failed: " + cookies.output};
  std::vector<std::string> listed;
  std::istringstream lines(cookies.output);
  std::string line;
  for (bool header = true; std::getline(lines, line);) {
    if (line.empty())
      continue;
    if (!header)
      listed.push_back(line);
    header = false;
  }
  return listed;
}

int count_semaphores() {
  std::ifstream table("/proc/sysvipc/sem");
  std::string line;
  int count = -1;  // the header
  while (std::getline(table, line))
    ++count;
  return std::max(count, 0);
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return result;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) {
    result.output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> find_leaks(KernelBackend& backend, std::string_view prefix,
                                    int semaphores_before) {
  std::vector<std::string> leaks;
  for (const MapListing& map : backend.list()) {
    if (map.name.starts_with(prefix))
      leaks.push_back("map " + map.name + " is still there");
  }
  check_dev_mapper(prefix, leaks);
  check_semaphores(semaphores_before, leaks);
  return leaks;
}

void remove_maps_with_prefix(KernelBackend& backend, std::string_view prefix) {
  for (bool removed_some = true; removed_some;) {
    removed_some = false;
    for (const MapListing& map : backend.list()) {
      if (!map.name.starts_with(prefix))
        continue;
      try {
        backend.remove(map.name);
        removed_some = true;
      } catch (const Error& error) {
        if (error.kind() != ErrorKind::Busy)
          ADD_FAILURE() << "cleanup: " << error.what();
      }
    }
  }
}

void AGuestTest::SetUp() {
  loops_before_ = bound_loops();
}

void AGuestTest::TearDown() {
  // Looked at before the clean-up, which would remove a suspended map of the test's.
  for (const std::string& name : suspended_maps(backend()))
    ADD_FAILURE() << "leak: map " << name << " was left suspended";
  remove_maps_with_prefix(backend(), kTestPrefix);
  release_loops();
  // A loop is detached when its last user closes it (autoclear): given a moment.
  std::set<std::string> left;
  for (int attempt = 0; attempt < 20; ++attempt) {
    left.clear();
    for (const std::string& loop : bound_loops()) {
      if (!loops_before_.contains(loop))
        left.insert(loop);
    }
    if (left.empty())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const std::string& loop : left)
    ADD_FAILURE() << "leak: loop " << loop << " that the test attached is still attached";
  for (const std::string& leak :
       find_leaks(backend(), kTestPrefix, GuestWorld::get().semaphores_before())) {
    ADD_FAILURE() << "leak: " << leak;
  }
}

std::string AGuestTest::map_name(std::string_view suffix) {
  return std::string(kTestPrefix) + std::string(suffix);
}

std::vector<TargetLine> AGuestTest::kernel_table(const std::string& text) {
  TableContext context;
  context.devices = &GuestWorld::get().devices();
  return to_target_lines(parse_table(text, context));
}

MapInfo AGuestTest::create(const std::string& name, const std::string& text) {
  return backend().create({name, owned_uuid(""), kernel_table(text), false});
}

}  // namespace mapperd::guest
