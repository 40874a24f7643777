#include "block_io.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace mapperd::guest {
namespace {

constexpr std::size_t kAlignment = 4096;  // enough for O_DIRECT on any logical block size

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

std::unique_ptr<char, FreeDeleter> aligned_buffer(std::size_t bytes) {
  void* p = nullptr;
  if (::posix_memalign(&p, kAlignment, bytes) != 0)
    throw std::bad_alloc();
  return std::unique_ptr<char, FreeDeleter>(static_cast<char*>(p));
}

int open_or_fail(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    fail("open " + path);
  return fd;
}

std::string read_at(const std::string& path, int flags, std::uint64_t sector, std::uint64_t count) {
  const std::size_t bytes = count * kSectorBytes;
  auto buffer = aligned_buffer(bytes);
  const int fd = open_or_fail(path, flags);
  const ssize_t n = ::pread(fd, buffer.get(), bytes, static_cast<off_t>(sector * kSectorBytes));
  const int error = errno;
  ::close(fd);
  errno = error;
  if (n != static_cast<ssize_t>(bytes))
    fail("read " + std::to_string(count) + " sectors at " + std::to_string(sector) + " of " + path);
  return std::string(buffer.get(), bytes);
}

}  // namespace

std::string sector_pattern(const std::string& tag, std::uint64_t sector) {
  std::string head = "mapperd " + tag + " sector " + std::to_string(sector) + ";";
  std::string data;
  data.reserve(kSectorBytes);
  while (data.size() < kSectorBytes)
    data += head;
  data.resize(kSectorBytes);
  return data;
}

std::string sector_patterns(const std::string& tag, std::uint64_t first, std::uint64_t count) {
  std::string data;
  for (std::uint64_t i = 0; i < count; ++i)
    data += sector_pattern(tag, first + i);
  return data;
}

void write_device(const std::string& path, std::uint64_t sector, const std::string& data) {
  auto buffer = aligned_buffer(data.size());
  std::memcpy(buffer.get(), data.data(), data.size());
  const int fd = open_or_fail(path, O_WRONLY | O_DIRECT);
  const ssize_t n =
      ::pwrite(fd, buffer.get(), data.size(), static_cast<off_t>(sector * kSectorBytes));
  const int error = errno;
  ::close(fd);
  errno = error;
  if (n != static_cast<ssize_t>(data.size())) {
    fail("write " + std::to_string(data.size()) + " bytes at sector " + std::to_string(sector) +
         " of " + path);
  }
}

std::string read_device(const std::string& path, std::uint64_t sector, std::uint64_t count) {
  return read_at(path, O_RDONLY | O_DIRECT, sector, count);
}

Sectors device_size(const std::string& path) {
  const int fd = open_or_fail(path, O_RDONLY);
  std::uint64_t bytes = 0;
  const int r = ::ioctl(fd, BLKGETSIZE64, &bytes);
  ::close(fd);
  if (r != 0)
    fail("size of " + path);
  return Sectors(bytes / kSectorBytes);
}

std::string read_file(const std::string& path, std::uint64_t sector, std::uint64_t count) {
  return read_at(path, O_RDONLY, sector, count);
}

std::string describe(const std::string& data) {
  if (data.find_first_not_of('\0') == std::string::npos)
    return "zeros";
  if (data.starts_with("mapperd "))
    return data.substr(0, data.find(';'));
  return "unknown bytes";
}

}  // namespace mapperd::guest
