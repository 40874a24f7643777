#pragma once
// udev synchronisation for one operation, bounded in time.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "interfaces/udev_activity.h"
#include "kernel/cookie_ledger.h"

struct dm_task;

namespace mapperd {

// A udev cookie: a SysV semaphore that libdevmapper raises once for every task that will make a
// uevent (resume, remove, rename) and that the dm udev rules lower ("dmsetup udevcomplete") after
// they ran. Waiting for it to drop means udev has made or removed /dev/mapper/NAME.
//
// Unlike dm_udev_wait(), waits here end: wait() looks at the cookie each time `activity` reports
// udev work, and gives up at its deadline. No path leaves the semaphore behind: a wait that timed
// out, or a cookie destroyed without one (an exception), completes and releases it.
//
// Make the cookie before anything is suspended: if the semaphore cannot be made, nothing has been
// done yet. Only the backend's thread may use it (libdevmapper keeps global state).
class UdevCookie {
 public:
  struct Timing {
    // How long wait() waits for udev in all.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    // The longest single wait on `activity` between two looks at the cookie: a guard for an event
    // the monitor missed (its socket buffer overran), not the normal way to notice completion.
    std::chrono::milliseconds recheck{std::chrono::milliseconds(500)};
  };

  // `operation` and `name` only word the errors. When libdevmapper does not synchronise with udev
  // (udev is not running) the cookie is 0: tasks then carry only the udev flags and nothing is
  // waited for. Throws Error(Kernel) when the semaphore cannot be created. `ledger`, when given,
  // notes the semaphore while it exists.
  UdevCookie(UdevActivity& activity, Timing timing, std::string_view operation,
             std::string_view name, CookieLedger* ledger = nullptr);
  // Waits (bounded, errors ignored) if wait() was not called, then makes sure the semaphore is
  // gone. Never throws.
  ~UdevCookie();
  UdevCookie(const UdevCookie&) = delete;
  UdevCookie& operator=(const UdevCookie&) = delete;

  // Gives `task` this cookie with the udev rule flags `flags` (DM_UDEV_*). Throws Error(Kernel).
  void attach(dm_task* task, std::uint16_t flags);

  // Returns once udev has processed every attached task's uevent. libdevmapper itself completes
  // the cookie for a task that failed or made no uevent, so this is also right after a failure.
  // Throws TimedOut at the deadline after completing and releasing the cookie, and Kernel when
  // the semaphore vanished under us.
  void wait();

  std::uint32_t value() const { return cookie_; }

 private:
  // Lowers the semaphore for udev until libdevmapper can release it. Never throws.
  void complete_and_release() noexcept;
  // The semaphore is gone (libdevmapper removed it, or we did).
  void mark_released() noexcept;

  UdevActivity& activity_;
  Timing timing_;
  CookieLedger* ledger_;
  std::string operation_;
  std::string name_;
  std::uint32_t cookie_ = 0;
  int attached_ = 0;
  bool released_ = false;
};

}  // namespace mapperd
