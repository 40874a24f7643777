// The in-memory LoopDevices that higher layers' tests use: it keeps the real one's rules.

#include "fakes/fake_loop_devices.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/expect_error.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class AFakeLoopDriver : public ::testing::Test {
 protected:
  AFakeLoopDriver() { inode_ = loops_.add_file("/srv/a.img", 1 << 20, {8, 1}); }

  FakeLoopDevices loops_;
  std::uint64_t inode_ = 0;
};

TEST_F(AFakeLoopDriver, BindsTheLowestFreeLoopDevice) {
  const LoopDevice first = loops_.attach_file("/srv/a.img", {});
  const LoopDevice second = loops_.attach(loops_.open("/srv/a.img", true), {.read_only = true});
  EXPECT_EQ(first, (LoopDevice{0, {7, 0}, "/dev/loop0", {"/srv/a.img", {8, 1}, inode_}, false}));
  EXPECT_EQ(second.index, 1u);
  EXPECT_TRUE(second.backing.read_only);
  EXPECT_THAT(loops_.list(), ElementsAre(first, second));
}

TEST_F(AFakeLoopDriver, FindsABindingByFileAndOffset) {
  const LoopDevice bound = loops_.attach_file("/srv/a.img", {.offset = 4096});
  EXPECT_EQ(loops_.find_bound({"/elsewhere", {8, 1}, inode_, 4096}), bound);
  EXPECT_EQ(loops_.find_bound({"/srv/a.img", {8, 1}, inode_, 0}), std::nullopt);
  EXPECT_EQ(loops_.find_bound({"/srv/a.img", {8, 2}, inode_, 4096}), std::nullopt);
}

TEST_F(AFakeLoopDriver, ReusesABindingOnReattach) {
  const LoopDevice bound = loops_.bind_externally("/srv/a.img", {});
  EXPECT_EQ(loops_.reattach(bound.backing), (Reattachment{bound, true}));
}

TEST_F(AFakeLoopDriver, BindsAgainOnReattachWhenNothingIsBound) {
  const LoopBacking stored = *loops_.backing_of_path("/srv/a.img", {.size_limit = 8192});
  const Reattachment again = loops_.reattach(stored);
  EXPECT_FALSE(again.reused);
  EXPECT_EQ(again.device.backing, stored);
}

TEST_F(AFakeLoopDriver, RefusesToReattachAReplacedFile) {
  const LoopBacking stored = *loops_.backing_of_path("/srv/a.img", {});
  const std::uint64_t now = loops_.add_file("/srv/a.img", 1 << 20, {8, 1});
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.reattach(stored); }),
              HasSubstr("was inode " + std::to_string(inode_) + " on 8:1, now inode " +
                        std::to_string(now) + " on 8:1"));
}

TEST_F(AFakeLoopDriver, SaysAFileToReattachIsNotThere) {
  const LoopBacking stored = *loops_.backing_of_path("/srv/a.img", {});
  loops_.remove_path("/srv/a.img");
  error_of(ErrorKind::NotFound, [&] { loops_.reattach(stored); });
  EXPECT_EQ(loops_.backing_of_path("/srv/a.img", {}), std::nullopt);
}

TEST_F(AFakeLoopDriver, RefusesWhatTheRealOneRefuses) {
  loops_.add_symlink("/srv/link.img");
  loops_.add_directory("/srv/dir");
  EXPECT_THAT(
      error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file("/srv/link.img", {}); }),
      HasSubstr("is a symbolic link"));
  error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file("/srv/dir", {}); });
  error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file("srv/a.img", {}); });
  error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(loops_.open("/srv/a.img", true), {}); });
  error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file("/srv/a.img", {1 << 20}); });
  error_of(ErrorKind::NotFound, [&] { loops_.attach_file("/srv/none.img", {}); });
  EXPECT_THAT(loops_.list(), IsEmpty());
}

TEST_F(AFakeLoopDriver, DetachesUnlessBusy) {
  const LoopDevice bound = loops_.attach_file("/srv/a.img", {});
  loops_.set_busy(bound.index, "device-mapper map data (dm-0)");
  EXPECT_THAT(error_of(ErrorKind::Busy, [&] { loops_.detach(bound.index); }),
              HasSubstr("detach /dev/loop0: EBUSY: in use by device-mapper map data (dm-0)"));
  loops_.set_busy(bound.index, "");
  loops_.detach(bound.index);
  EXPECT_EQ(loops_.bound_at(bound.index), std::nullopt);
  error_of(ErrorKind::NotFound, [&] { loops_.detach(bound.index); });
}

TEST_F(AFakeLoopDriver, FailsTheNextCallWhenTold) {
  loops_.fail_next("attach", Error(ErrorKind::Kernel, "attach /srv/a.img: EIO", 5));
  error_of(ErrorKind::Kernel, [&] { loops_.attach_file("/srv/a.img", {}); });
  EXPECT_EQ(loops_.attach_file("/srv/a.img", {}).index, 0u);
  EXPECT_THAT(loops_.calls(), ElementsAre("attach /srv/a.img", "attach /srv/a.img"));
}

TEST_F(AFakeLoopDriver, TellsItsListenersAboutBindings) {
  std::vector<std::string> seen;
  loops_.on_bound = [&](const LoopDevice& device) { seen.push_back("+" + device.path); };
  loops_.on_unbound = [&](const LoopDevice& device) { seen.push_back("-" + device.path); };
  loops_.detach(loops_.attach_file("/srv/a.img", {}).index);
  EXPECT_THAT(seen, ElementsAre("+/dev/loop0", "-/dev/loop0"));
}

}  // namespace
}  // namespace mapperd
