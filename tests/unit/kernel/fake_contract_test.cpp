// The kernel-backend contract, kept by the fake.

#include <memory>

#include "fakes/fake_kernel_backend.h"
#include "fakes/kernel_backend_contract.h"

namespace mapperd::contract {
namespace {

class FakeSubject final : public ContractSubject {
 public:
  FakeSubject() {
    fake_.add_block_device(disk(0), disk_size(0), disk_path(0));
    fake_.add_block_device(disk(1), disk_size(1), disk_path(1));
  }

  KernelBackend& backend() override { return fake_; }
  DeviceNumber disk(int index) override {
    return DeviceNumber{7, static_cast<std::uint32_t>(1 + index)};
  }
  Sectors disk_size(int index) override { return Sectors(index == 0 ? 16384 : 24576); }
  std::string disk_path(int index) override { return "/dev/loop" + std::to_string(1 + index); }
  DeviceNumber absent_device() override { return DeviceNumber{7, 200}; }
  std::shared_ptr<void> hold_open(const std::string& name) override {
    fake_.set_open_count(name, 1);
    return std::shared_ptr<void>(nullptr, [this, name](void*) {
      if (fake_.info(name))
        fake_.set_open_count(name, 0);
    });
  }
  std::string name_prefix() override { return "mapperd-test-"; }

 private:
  FakeKernelBackend fake_;
};

INSTANTIATE_TEST_SUITE_P(Fake, AKernelBackend,
                         ::testing::Values(NamedSubject{
                             "fake", [] { return std::make_unique<FakeSubject>(); }}),
                         subject_name);

}  // namespace
}  // namespace mapperd::contract
