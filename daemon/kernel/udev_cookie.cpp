#include "kernel/udev_cookie.h"

#include <libdevmapper.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include <algorithm>

#include "kernel/kernel_errors.h"

namespace mapperd {

using Clock = std::chrono::steady_clock;

UdevCookie::UdevCookie(UdevActivity& activity, Timing timing, std::string_view operation,
                       std::string_view name, CookieLedger* ledger)
    : activity_(activity), timing_(timing), ledger_(ledger), operation_(operation), name_(name) {
  // dm_udev_create_cookie() makes the semaphore (value 1) only when libdevmapper synchronises
  // with udev; otherwise it leaves 0, which dm_task_set_cookie() accepts.
  if (dm_udev_create_cookie(&cookie_) == 0) {
    throw kernel_errors::kernel_failure(operation_, name_, 0,
                                        "cannot create a udev synchronisation semaphore");
  }
  released_ = cookie_ == 0;
  if (!released_ && ledger_ != nullptr)
    ledger_->note(cookie_);
}

void UdevCookie::mark_released() noexcept {
  if (!released_ && ledger_ != nullptr)
    ledger_->forget(cookie_);
  released_ = true;
}

UdevCookie::~UdevCookie() {
  if (released_)
    return;
  try {
    wait();
  } catch (...) {
    // An exception is already on its way out (or wait() timed out and released the cookie):
    // this wait only settles /dev/mapper and must not replace the real error.
  }
  complete_and_release();
}

void UdevCookie::attach(dm_task* task, std::uint16_t flags) {
  // With a cookie of 0 this creates no semaphore but still passes the flags to the rules.
  std::uint32_t cookie = cookie_;
  if (dm_task_set_cookie(task, &cookie, flags) == 0) {
    throw kernel_errors::kernel_failure(operation_, name_, 0,
                                        "cannot attach the udev synchronisation cookie");
  }
  if (cookie != cookie_) {
    // libdevmapper made a semaphore after all (udev appeared since we made ours): take it over.
    cookie_ = cookie;
    released_ = false;
    if (ledger_ != nullptr)
      ledger_->note(cookie_);
  }
  ++attached_;
}

void UdevCookie::wait() {
  if (released_) {
    // No semaphore: libdevmapper may still have node operations queued (its fallback when udev is
    // not running); dm_udev_wait(0) runs them and returns at once.
    dm_udev_wait(0);
    return;
  }
  const Clock::time_point deadline = Clock::now() + timing_.timeout;
  for (;;) {
    // Not ready while the semaphore is above 1; at 1 (every uevent handled) libdevmapper lowers
    // it to 0, waits for 0 without blocking, runs its node operations and removes the semaphore.
    int ready = 0;
    if (dm_udev_wait_immediate(cookie_, &ready) == 0) {
      mark_released();  // libdevmapper removes the semaphore when it fails
      throw kernel_errors::kernel_failure(operation_, name_, 0,
                                          "udev synchronisation failed: the cookie's semaphore "
                                          "vanished");
    }
    if (ready != 0) {
      mark_released();
      return;
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      complete_and_release();
      throw kernel_errors::udev_timed_out(operation_, name_, timing_.timeout);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    activity_.wait(std::min(left, timing_.recheck));
  }
}

void UdevCookie::complete_and_release() noexcept {
  // The semaphore stands at 1 plus one for every uevent udev has not confirmed, and we attached
  // `attached_` tasks, so after at most that many completions it is ready to be released.
  for (int i = 0; i <= attached_ && !released_; ++i) {
    int ready = 0;
    if (dm_udev_wait_immediate(cookie_, &ready) == 0 || ready != 0) {
      mark_released();
      return;
    }
    dm_udev_complete(cookie_);
  }
  if (!released_) {
    // Someone raised it behind our back: remove the semaphore directly rather than leak it.
    const int semid = ::semget(static_cast<key_t>(cookie_), 1, 0);
    if (semid >= 0)
      ::semctl(semid, 0, IPC_RMID);
    mark_released();
  }
}

}  // namespace mapperd
