#pragma once
// The contract every KernelBackend keeps: one set of tests that the fake passes on the host and
// DmBackend passes on a real kernel in the guest. A test binary instantiates them with a factory
// for its subject:
//
//   INSTANTIATE_TEST_SUITE_P(Fake, AKernelBackend,
//                            ::testing::Values(contract::NamedSubject{"fake", make_subject}),
//                            contract::subject_name);

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"

namespace mapperd::contract {

// The world a backend runs in, as the contract tests need it.
class ContractSubject {
 public:
  virtual ~ContractSubject() = default;

  virtual KernelBackend& backend() = 0;
  // Two distinct block devices (index 0 and 1) of at least 8192 sectors each, which the tests
  // may map and overwrite.
  virtual DeviceNumber disk(int index) = 0;
  virtual Sectors disk_size(int index) = 0;
  // A path under /dev that names disk(index).
  virtual std::string disk_path(int index) = 0;
  // A device number no block device has.
  virtual DeviceNumber absent_device() = 0;
  // Holds the map open (as a mount or a dd would) until the returned handle is destroyed.
  virtual std::shared_ptr<void> hold_open(const std::string& name) = 0;
  // Every map a test makes has a name starting with this; whatever is left is removed after
  // each test.
  virtual std::string name_prefix() = 0;
  // Lets asynchronous work the kernel started (a deferred remove's uevent) finish.
  virtual void settle() {}
  // Adds a test failure for anything the test left behind beyond its maps (a /dev/mapper link,
  // a udev cookie, a semaphore). Runs after the maps were removed.
  virtual void check_for_leaks() {}
};

struct NamedSubject {
  std::string name;
  std::function<std::unique_ptr<ContractSubject>()> make;
};

// gtest names the instantiation after the subject ("fake", "dm").
std::string subject_name(const ::testing::TestParamInfo<NamedSubject>& info);
void PrintTo(const NamedSubject& subject, std::ostream* out);

// The subject of the contract: a backend in its world.
class AKernelBackend : public ::testing::TestWithParam<NamedSubject> {
 protected:
  void SetUp() override;
  // Removes the test's maps (top of a stack first), then checks for leaks.
  void TearDown() override;

  KernelBackend& backend() { return subject_->backend(); }
  ContractSubject& subject() { return *subject_; }

  // name_prefix() + suffix.
  std::string map_name(std::string_view suffix);
  // A UUID of mapperd's form, unique per map name.
  std::string uuid_for(const std::string& name);
  // "0 LENGTH linear DISK OFFSET" over disk(index).
  std::vector<TargetLine> linear(int disk, std::uint64_t length, std::uint64_t offset = 0);
  // Creates a map with linear(disk, length) and a UUID from uuid_for().
  MapInfo create_linear(const std::string& name, int disk, std::uint64_t length);

 private:
  void remove_leftovers();

  std::unique_ptr<ContractSubject> subject_;
};

}  // namespace mapperd::contract
