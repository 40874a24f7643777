#include "kernel/cookie_ledger.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

namespace mapperd {

std::string cookie_text(std::uint32_t cookie) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", cookie);
  return text;
}

CookieLedger::CookieLedger(std::filesystem::path directory) : directory_(std::move(directory)) {}

std::filesystem::path CookieLedger::file_for(std::uint32_t cookie) const {
  return directory_ / (std::to_string(::getpid()) + "." + cookie_text(cookie));
}

void CookieLedger::note(std::uint32_t cookie) noexcept {
  try {
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
    const int fd =
        ::open(file_for(cookie).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0)
      ::close(fd);
  } catch (...) {
    // A path that cannot be made: no note, as if there were no ledger.
  }
}

void CookieLedger::forget(std::uint32_t cookie) noexcept {
  try {
    std::error_code ignored;
    std::filesystem::remove(file_for(cookie), ignored);
  } catch (...) {
  }
}

std::vector<CookieLedger::Released> CookieLedger::release_left_behind() noexcept {
  std::vector<Released> released;
  try {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
      const std::string name = entry.path().filename().string();
      const std::size_t dot = name.find('.');
      int pid = 0;
      std::uint32_t cookie = 0;
      const char* end = name.data() + name.size();
      if (dot == std::string::npos || name.compare(dot + 1, 2, "0x") != 0 ||
          std::from_chars(name.data(), name.data() + dot, pid).ptr != name.data() + dot ||
          std::from_chars(name.data() + dot + 3, end, cookie, 16).ptr != end || pid <= 0)
        continue;  // not a file of ours
      if (::kill(pid, 0) == 0 || errno != ESRCH)
        continue;  // its process still runs: the cookie may be in use
      const int semid = ::semget(static_cast<key_t>(cookie), 1, 0);
      if (semid >= 0 && ::semctl(semid, 0, IPC_RMID) == 0)
        released.push_back({cookie, pid});
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  } catch (...) {
    // What was released so far is reported; the rest waits for the next start.
  }
  return released;
}

}  // namespace mapperd
