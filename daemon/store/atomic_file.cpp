#include "store/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>

#include "store/store_error.h"

namespace mapperd::store {
namespace {

constexpr std::string_view kTemporaryMarker = ".tmp-";
// mkostemp's random part.
constexpr std::string_view kRandomPart = "XXXXXX";
constexpr std::string_view kStateFileSuffix = ".json";

// Owns one file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  // Closes now, for the caller to see the error; -1 with errno set on failure.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// 0, or the errno of the first failed write(2).
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

std::string temporary_file_prefix(const std::filesystem::path& path) {
  return "." + path.filename().string() + std::string(kTemporaryMarker);
}

bool is_temporary_file_name(std::string_view file_name) {
  const std::size_t tail = kTemporaryMarker.size() + kRandomPart.size();
  return file_name.starts_with('.') && file_name.size() > tail + 1 &&
         file_name.substr(file_name.size() - tail, kTemporaryMarker.size()) == kTemporaryMarker;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path directory = directory_of(path);
  std::string temporary =
      (directory / (temporary_file_prefix(path) + std::string(kRandomPart))).string();
  // mkostemp opens with O_CREAT | O_EXCL, so it never takes over a file that is there.
  FileDescriptor fd(::mkostemp(temporary.data(), O_CLOEXEC));
  if (fd.get() < 0)
    throw store_error("write", path, "create a temporary file", errno);

  // From here on, a failure removes the temporary file: the target was never touched.
  const auto fail = [&](std::string_view step, int error_number) {
    fd.close();
    ::unlink(temporary.c_str());
    return store_error("write", path, step, error_number);
  };
  // 0600 whatever the umask: a definition holds its table as written, and a passthrough crypt
  // table holds its key (docs/state-format.md).
  if (::fchmod(fd.get(), 0600) != 0)
    throw fail("set the temporary file's mode", errno);
  if (const int error_number = write_all(fd.get(), text); error_number != 0)
    throw fail("write the temporary file", error_number);
  // The data must be on disk before the rename makes it the file: otherwise a crash after the
  // rename can leave an empty or partial file under the real name (ext4 with delalloc, xfs).
  if (::fsync(fd.get()) != 0)
    throw fail("fsync the temporary file", errno);
  if (fd.close() != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    throw store_error("write", path, "close the temporary file", error_number);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    throw store_error("write", path, "rename the temporary file over it", error_number);
  }
  // The rename is durable only once the directory is.
  sync_directory(directory);
}

std::string read_file(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    throw store_error("read", path, "", errno);
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0)
    throw store_error("read", path, "fstat", errno);
  if (!S_ISREG(status.st_mode))
    throw Error(ErrorKind::Store, "read " + path.string() + ": not a regular file");
  if (static_cast<std::uint64_t>(status.st_size) > kMaxStateFileBytes) {
    throw Error(ErrorKind::Store,
                "read " + path.string() + ": the file is " + std::to_string(status.st_size) +
                    " bytes; a state file is at most " + std::to_string(kMaxStateFileBytes));
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      throw store_error("read", path, "", errno);
    }
    if (got == 0)
      break;
    // The file may grow while it is read; the limit holds for what is read, too.
    if (text.size() + static_cast<std::size_t>(got) > kMaxStateFileBytes) {
      throw Error(ErrorKind::Store, "read " + path.string() + ": the file is more than " +
                                        std::to_string(kMaxStateFileBytes) + " bytes");
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

bool remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT)
      return false;
    throw store_error("remove", path, "", errno);
  }
  sync_directory(directory_of(path));
  return true;
}

void move_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    throw store_error("move", from, "rename to " + to.string(), errno);
  sync_directory(directory_of(to));
  if (directory_of(from) != directory_of(to))
    sync_directory(directory_of(from));
}

void ensure_directory(const std::filesystem::path& directory) {
  struct stat status {};
  if (::stat(directory.c_str(), &status) == 0) {
    if (!S_ISDIR(status.st_mode))
      throw store_error("create directory", directory, "", ENOTDIR);
    return;
  }
  if (errno != ENOENT)
    throw store_error("create directory", directory, "", errno);
  const std::filesystem::path parent = directory.parent_path();
  if (!parent.empty() && parent != directory)
    ensure_directory(parent);
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST)
    throw store_error("create directory", directory, "", errno);
  // A new directory's entry lives in its parent, which must reach the disk for it to stay.
  sync_directory(directory_of(directory));
}

void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0)
    throw store_error("fsync directory", directory, "open", errno);
  if (::fsync(fd.get()) != 0)
    throw store_error("fsync directory", directory, "", errno);
}

std::vector<std::filesystem::path> state_files_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) {
    if (error == std::errc::no_such_file_or_directory)
      return files;
    throw store_error("list", directory, "", error.value());
  }
  // Iterated by hand: the range-for's increment throws std::filesystem::filesystem_error.
  for (; entries != std::filesystem::directory_iterator(); entries.increment(error)) {
    const std::filesystem::directory_entry& entry = *entries;
    const std::string name = entry.path().filename().string();
    if (is_temporary_file_name(name)) {
      // A write that a crash cut short: the target still has its old contents. A failure to
      // remove it is harmless (it is never read) and is tried again at the next load.
      ::unlink(entry.path().c_str());
      continue;
    }
    std::error_code type_error;
    if (name.starts_with('.') || !name.ends_with(kStateFileSuffix) ||
        name.size() == kStateFileSuffix.size() || !entry.is_regular_file(type_error)) {
      continue;
    }
    files.push_back(entry.path());
  }
  if (error)
    throw store_error("list", directory, "", error.value());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mapperd::store
