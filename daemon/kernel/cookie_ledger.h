#pragma once
// The udev cookies a process holds, noted in a directory of /run so that the next process can
// remove what one that died left behind.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mapperd {

// One empty file per cookie, "<pid>.<cookie in hex>", made when the cookie's semaphore is made
// and removed when it is released. A process killed between a task and its udev wait (kill -9,
// an abort) leaves the semaphore for good: nothing else removes a udev cookie, and nothing on the
// semaphore says whose it is, so removing any other (LVM's, cryptsetup's) would fail that tool's
// wait. The ledger says which ones were ours.
class CookieLedger {
 public:
  struct Released {
    std::uint32_t cookie;
    int pid;  // the process that held it
  };

  explicit CookieLedger(std::filesystem::path directory);

  // Errors are ignored: the ledger only helps clean up after a crash.
  void note(std::uint32_t cookie) noexcept;
  void forget(std::uint32_t cookie) noexcept;

  // Removes the semaphores of the cookies noted by processes that no longer run, and their
  // files; the ones of running processes (a restore and the daemon at once) are left.
  std::vector<Released> release_left_behind() noexcept;

 private:
  std::filesystem::path file_for(std::uint32_t cookie) const;

  std::filesystem::path directory_;
};

// "0x0d4d1234", as dmsetup udevcookies shows a cookie.
std::string cookie_text(std::uint32_t cookie);

}  // namespace mapperd
