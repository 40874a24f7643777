// The kernel-backend contract, kept by DmBackend on the real kernel.

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "fakes/kernel_backend_contract.h"
#include "guest_world.h"

namespace mapperd::contract {
namespace {

using guest::GuestWorld;

class DmSubject final : public ContractSubject {
 public:
  KernelBackend& backend() override { return GuestWorld::get().backend(); }
  DeviceNumber disk(int index) override { return GuestWorld::get().disk(index).number(); }
  Sectors disk_size(int index) override { return GuestWorld::get().disk(index).size(); }
  std::string disk_path(int index) override { return GuestWorld::get().disk(index).path(); }
  // The pre-boot loop devices are loop0..7; nothing makes loop250.
  DeviceNumber absent_device() override { return DeviceNumber{7, 250}; }
  std::shared_ptr<void> hold_open(const std::string& name) override {
    const int fd = ::open(("/dev/mapper/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw std::runtime_error("cannot open /dev/mapper/" + name);
    return std::shared_ptr<void>(nullptr, [fd](void*) { ::close(fd); });
  }
  std::string name_prefix() override { return std::string(guest::kTestPrefix); }
  void settle() override { guest::run_command("udevadm settle --timeout=60"); }
  void check_for_leaks() override {
    for (const std::string& leak :
         guest::find_leaks(backend(), name_prefix(), GuestWorld::get().semaphores_before())) {
      ADD_FAILURE() << "leak: " << leak;
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Dm, AKernelBackend,
                         ::testing::Values(NamedSubject{
                             "dm", [] { return std::make_unique<DmSubject>(); }}),
                         subject_name);

}  // namespace
}  // namespace mapperd::contract
