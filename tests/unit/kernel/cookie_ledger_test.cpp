// The ledger of udev cookies: a note per cookie while it lives, and the semaphores of a process
// that died holding them removed by the next one, never those of a process that runs.

#include "kernel/cookie_ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "temp_dir.h"

namespace mapperd::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A cookie's semaphore, as libdevmapper makes one (the cookie is its key); removed at the end
// if the test left it.
class Semaphore {
 public:
  explicit Semaphore(std::uint32_t cookie) : cookie_(cookie) {
    id_ = ::semget(static_cast<key_t>(cookie), 1, IPC_CREAT | IPC_EXCL | 0600);
  }
  ~Semaphore() {
    if (exists())
      ::semctl(id_, 0, IPC_RMID);
  }
  bool made() const { return id_ >= 0; }
  bool exists() const { return ::semget(static_cast<key_t>(cookie_), 1, 0) >= 0; }

 private:
  std::uint32_t cookie_;
  int id_ = -1;
};

// A process id that ran and is gone.
int dead_pid() {
  const pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

std::vector<std::string> files_in(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Keys with device-mapper's cookie magic, in a range no udev cookie of this host is likely in.
constexpr std::uint32_t kCookie = 0x0d4dfe01;
constexpr std::uint32_t kOtherCookie = 0x0d4dfe02;

TEST(ACookieLedger, NotesACookieWhileItLives) {
  TempDir dir;
  CookieLedger ledger(dir.path() / "cookies");
  ledger.note(kCookie);
  EXPECT_THAT(files_in(dir.path() / "cookies"),
              ElementsAre(std::to_string(::getpid()) + ".0x0d4dfe01"));
  ledger.forget(kCookie);
  EXPECT_THAT(files_in(dir.path() / "cookies"), IsEmpty());
}

TEST(ACookieLedger, RemovesTheSemaphoresOfAProcessThatIsGone) {
  TempDir dir;
  Semaphore left(kCookie);
  ASSERT_TRUE(left.made()) << "a semaphore with key 0x0d4dfe01 exists already";
  const int pid = dead_pid();
  dir.write("cookies/" + std::to_string(pid) + ".0x0d4dfe01", "");
  const auto released = CookieLedger(dir.path() / "cookies").release_left_behind();
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].cookie, kCookie);
  EXPECT_EQ(released[0].pid, pid);
  EXPECT_FALSE(left.exists());
  EXPECT_THAT(files_in(dir.path() / "cookies"), IsEmpty());
}

TEST(ACookieLedger, LeavesTheCookiesOfARunningProcessAndFilesNotItsOwn) {
  TempDir dir;
  Semaphore live(kOtherCookie);
  ASSERT_TRUE(live.made()) << "a semaphore with key 0x0d4dfe02 exists already";
  dir.write("cookies/" + std::to_string(::getpid()) + ".0x0d4dfe02", "");
  dir.write("cookies/notes.txt", "");
  dir.write("cookies/12.0xnothex", "");
  EXPECT_THAT(CookieLedger(dir.path() / "cookies").release_left_behind(), IsEmpty());
  EXPECT_TRUE(live.exists());
  EXPECT_EQ(files_in(dir.path() / "cookies").size(), 3u);
}

TEST(ACookieLedger, ForgetsANoteWhoseSemaphoreIsGoneAlready) {
  TempDir dir;
  dir.write("cookies/" + std::to_string(dead_pid()) + ".0x0d4dfe03", "");
  EXPECT_THAT(CookieLedger(dir.path() / "cookies").release_left_behind(), IsEmpty());
  EXPECT_THAT(files_in(dir.path() / "cookies"), IsEmpty());
}

TEST(ACookieLedger, ReleasesNothingWithoutADirectory) {
  TempDir dir;
  EXPECT_THAT(CookieLedger(dir.path() / "none").release_left_behind(), IsEmpty());
}

}  // namespace
}  // namespace mapperd::testing
