#include "loop_test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "block_io.h"
#include "model/error.h"

namespace mapperd::guest {

BackingFile::BackingFile(const std::string& tag, std::uint64_t sectors)
    : tag_(tag),
      path_("/tmp/mapperd-loop-" + std::to_string(::getpid()) + "-" + tag + ".img"),
      sectors_(sectors) {
  make();
}

BackingFile::~BackingFile() {
  ::unlink(path_.c_str());
}

void BackingFile::make() const {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create " + path_);
  const std::string data = sector_patterns(tag_, 0, sectors_);
  const bool written =
      ::pwrite(fd, data.data(), data.size(), 0) == static_cast<ssize_t>(data.size());
  ::close(fd);
  if (!written)
    throw std::runtime_error("cannot fill " + path_);
}

void BackingFile::replace() {
  ::unlink(path_.c_str());
  make();
}

void settle_udev() {
  UdevActivityMonitor& udev = GuestWorld::get().udev();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!udev.settled() && std::chrono::steady_clock::now() < deadline)
    udev.wait(std::chrono::milliseconds(100));
}

std::vector<BlockDeviceEvent> wait_for_event(
    BlockDeviceEvents& events, const std::function<bool(const BlockDeviceEvent&)>& wanted,
    std::chrono::seconds timeout) {
  std::vector<BlockDeviceEvent> seen;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const BlockDeviceEvent& event : events.drain().events) {
      seen.push_back(event);
      if (wanted(event))
        return seen;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ADD_FAILURE() << "the awaited event did not come in " << timeout.count()
                    << " s; saw: " << describe(seen);
      return seen;
    }
    pollfd fd{events.fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
}

std::string describe(const BlockDeviceEvent& event) {
  const char* action = event.action == BlockDeviceEvent::Action::Appeared  ? "Appeared"
                       : event.action == BlockDeviceEvent::Action::Changed ? "Changed"
                                                                           : "Vanished";
  return std::string(action) + " " + event.path + " (" + event.number.to_string() + ")" +
         (event.is_loop ? (event.loop_bound ? " bound" : " unbound") : "");
}

std::string describe(const std::vector<BlockDeviceEvent>& events) {
  std::string text;
  for (const BlockDeviceEvent& event : events)
    text += (text.empty() ? "" : ", ") + describe(event);
  return text.empty() ? "nothing" : text;
}

mapperd::LoopDevice ALoopDeviceTest::remember(mapperd::LoopDevice device) {
  bound_.emplace_back(device.index, device.backing.file);
  return device;
}

mapperd::LoopDevice ALoopDeviceTest::attach_file(const std::string& path,
                                                 const LoopSettings& settings) {
  return remember(loops_.attach_file(path, settings));
}

mapperd::LoopDevice ALoopDeviceTest::attach(int fd, const LoopSettings& settings) {
  return remember(loops_.attach(fd, settings));
}

void ALoopDeviceTest::detach_when_idle(std::uint32_t index) {
  for (int attempt = 1;; ++attempt) {
    settle_udev();
    try {
      loops_.detach(index);
      return;
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::Busy || attempt == 5)
        throw;
    }
  }
}

void ALoopDeviceTest::release_loops() {
  for (const auto& [index, file] : bound_) {
    // A test's backing file is often deleted by now (it lived in the test's body): the kernel
    // then shows its name with " (deleted)".
    const std::optional<mapperd::LoopDevice> still = loops_.bound_at(index);
    if (!still || (still->backing.file != file && still->backing.file != file + " (deleted)"))
      continue;
    try {
      detach_when_idle(index);
    } catch (const Error& error) {
      ADD_FAILURE() << "cleanup: " << error.what();
    }
  }
}

}  // namespace mapperd::guest
