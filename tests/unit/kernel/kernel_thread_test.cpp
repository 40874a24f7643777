// The kernel thread: jobs run on one thread of their own, completions on the caller's.

#include "kernel/kernel_thread.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <thread>

#include "fakes/fake_kernel_backend.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 && (p.revents & POLLIN) != 0;
}

class AKernelThread : public ::testing::Test {
 protected:
  AKernelThread()
      : thread_([this] {
          backend_thread_ = std::this_thread::get_id();
          auto fake = std::make_unique<FakeKernelBackend>();
          fake->add_block_device({7, 1}, Sectors(8192));
          return fake;
        }) {}

  // Submits `job` and waits (bounded) until its completion can be dispatched.
  void run_and_dispatch(KernelThread::Job job, KernelThread::Done done) {
    thread_.submit(std::move(job), std::move(done));
    ASSERT_TRUE(readable(thread_.completion_fd(), std::chrono::seconds(10)));
    thread_.dispatch_completions();
  }

  // Returns once every job submitted before it has run and queued its completion: the thread
  // queues a job's completion before it starts the next job.
  void barrier() {
    std::promise<void> reached;
    thread_.submit([&](KernelBackend&) { reached.set_value(); }, [](std::exception_ptr) {});
    reached.get_future().wait();
  }

  std::thread::id backend_thread_;
  KernelThread thread_;
};

TEST_F(AKernelThread, MakesTheBackendOnItsOwnThread) {
  EXPECT_NE(backend_thread_, std::thread::id());
  EXPECT_NE(backend_thread_, std::this_thread::get_id());
}

TEST_F(AKernelThread, RunsJobsOnTheBackendsThreadAndCompletionsOnTheCaller) {
  std::thread::id job_thread;
  std::thread::id done_thread;
  run_and_dispatch([&](KernelBackend&) { job_thread = std::this_thread::get_id(); },
                   [&](std::exception_ptr) { done_thread = std::this_thread::get_id(); });
  EXPECT_EQ(job_thread, backend_thread_);
  EXPECT_EQ(done_thread, std::this_thread::get_id());
}

TEST_F(AKernelThread, HandsTheBackendToTheJob) {
  std::string version;
  run_and_dispatch([&](KernelBackend& backend) { version = backend.driver_version(); },
                   [](std::exception_ptr) {});
  EXPECT_EQ(version, "4.47.0");
}

TEST_F(AKernelThread, PassesTheJobsExceptionToItsCompletion) {
  std::exception_ptr failure;
  run_and_dispatch([](KernelBackend& backend) { backend.remove("no-such-map"); },
                   [&](std::exception_ptr error) { failure = error; });
  ASSERT_NE(failure, nullptr);
  try {
    std::rethrow_exception(failure);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::NotFound);
  }
}

// Holds the thread with a job (in lane "") until the returned promise is set, so that what is
// submitted meanwhile queues up; returns once the job runs.
std::promise<void> hold(KernelThread& thread) {
  std::promise<void> release;
  std::promise<void> running;
  thread.submit(
      [released = release.get_future().share(), &running](KernelBackend&) {
        running.set_value();
        released.wait();
      },
      [](std::exception_ptr) {});
  running.get_future().wait();
  return release;
}

TEST_F(AKernelThread, LetsLanesTakeTurnsSoAFloodDelaysAnotherClientByOneJob) {
  std::vector<std::string> ran;
  std::latch all_ran(7);
  auto record = [&ran, &all_ran](std::string what) {
    return [&ran, &all_ran, what](KernelBackend&) {
      ran.push_back(what);
      all_ran.count_down();
    };
  };
  std::promise<void> release = hold(thread_);
  {
    KernelThread::LaneScope flood(":1.7");
    for (int i = 1; i <= 5; ++i)
      thread_.submit(record("flood" + std::to_string(i)), [](std::exception_ptr) {});
  }
  {
    KernelThread::LaneScope other(":1.9");
    thread_.submit(record("other"), [](std::exception_ptr) {});
  }
  thread_.submit(record("daemon"), [](std::exception_ptr) {});
  release.set_value();
  all_ran.wait();
  // The lanes in name order, wrapping round: "" (the holder, then the daemon's own), ":1.7",
  // ":1.9"; each lane's jobs in submission order.
  EXPECT_THAT(ran,
              ElementsAre("flood1", "other", "daemon", "flood2", "flood3", "flood4", "flood5"));
}

TEST_F(AKernelThread, RunsOneLanesJobsInSubmissionOrderAndDispatchesInRunOrder) {
  std::vector<std::string> done;
  std::promise<void> release = hold(thread_);
  for (const char* lane : {"b", "a", "b", "a"}) {
    KernelThread::LaneScope scope(lane);
    thread_.submit([](KernelBackend&) {},
                   [&done, lane](std::exception_ptr) { done.push_back(lane); });
  }
  EXPECT_EQ(KernelThread::current_lane(), "") << "a scope's lane ends with it";
  release.set_value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (done.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    if (readable(thread_.completion_fd(), std::chrono::milliseconds(100)))
      thread_.dispatch_completions();
  }
  EXPECT_THAT(done, ElementsAre("a", "b", "a", "b"));
}

// What mapperd's shutdown relies on: the jobs still queued have run, on what they use, before
// stop() returns (and so before the engine that submitted them is destroyed).
TEST_F(AKernelThread, RunsTheQueuedJobsBeforeStopReturnsAndNoneAfter) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<int> ran;
  thread_.submit([released](KernelBackend&) { released.wait(); }, [](std::exception_ptr) {});
  thread_.submit([&ran](KernelBackend&) { ran.push_back(1); }, [](std::exception_ptr) {});
  thread_.submit([&ran](KernelBackend&) { ran.push_back(2); }, [](std::exception_ptr) {});
  std::thread releaser([&release] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release.set_value();
  });
  thread_.stop();
  releaser.join();
  EXPECT_THAT(ran, ElementsAre(1, 2));
  thread_.submit([&ran](KernelBackend&) { ran.push_back(3); }, [](std::exception_ptr) {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_THAT(ran, ElementsAre(1, 2));
}

TEST_F(AKernelThread, PassesNoExceptionForAJobThatSucceeded) {
  std::exception_ptr failure = std::make_exception_ptr(1);
  run_and_dispatch([](KernelBackend&) {}, [&](std::exception_ptr error) { failure = error; });
  EXPECT_EQ(failure, nullptr);
}

TEST_F(AKernelThread, RunsCompletionsOnlyWhenDispatched) {
  std::promise<void> ran;
  bool done = false;
  thread_.submit([&](KernelBackend&) { ran.set_value(); },
                 [&](std::exception_ptr) { done = true; });
  ran.get_future().wait();
  ASSERT_TRUE(readable(thread_.completion_fd(), std::chrono::seconds(10)));
  EXPECT_FALSE(done);
  thread_.dispatch_completions();
  EXPECT_TRUE(done);
}

TEST_F(AKernelThread, RunsJobsAndCompletionsInSubmissionOrder) {
  std::vector<int> jobs;
  std::vector<int> completions;
  for (int i = 0; i < 5; ++i) {
    thread_.submit([&jobs, i](KernelBackend&) { jobs.push_back(i); },
                   [&completions, i](std::exception_ptr) { completions.push_back(i); });
  }
  barrier();
  thread_.dispatch_completions();
  EXPECT_THAT(jobs, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(completions, ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(AKernelThread, IsNotReadableOnceEveryCompletionWasDispatched) {
  run_and_dispatch([](KernelBackend&) {}, [](std::exception_ptr) {});
  EXPECT_FALSE(readable(thread_.completion_fd(), std::chrono::milliseconds(0)));
}

TEST_F(AKernelThread, KeepsLaterCompletionsQueuedWhenOneThrows) {
  bool second_done = false;
  thread_.submit([](KernelBackend&) {}, [](std::exception_ptr) { throw std::runtime_error("x"); });
  thread_.submit([](KernelBackend&) {}, [&](std::exception_ptr) { second_done = true; });
  barrier();
  EXPECT_THROW(thread_.dispatch_completions(), std::runtime_error);
  EXPECT_FALSE(second_done);
  EXPECT_TRUE(readable(thread_.completion_fd(), std::chrono::milliseconds(0)));
  thread_.dispatch_completions();
  EXPECT_TRUE(second_done);
}

TEST(AKernelThreadBeingDestroyed, FinishesTheJobsAlreadySubmitted) {
  std::atomic<int> ran = 0;
  {
    KernelThread thread([] { return std::make_unique<FakeKernelBackend>(); });
    for (int i = 0; i < 10; ++i) {
      thread.submit([&](KernelBackend&) { ++ran; }, [](std::exception_ptr) {});
    }
  }
  EXPECT_EQ(ran, 10);
}

TEST(AKernelThreadWhoseBackendCannotBeMade, ThrowsTheBackendsErrorFromItsConstructor) {
  try {
    KernelThread thread([]() -> std::unique_ptr<KernelBackend> {
      throw Error(ErrorKind::Kernel, "device-mapper is not available in this kernel");
    });
    FAIL() << "the constructor should have thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Kernel);
  }
}

TEST(AKernelThreadWhoseFactoryMakesNothing, RefusesToStart) {
  try {
    KernelThread thread([]() -> std::unique_ptr<KernelBackend> { return nullptr; });
    FAIL() << "the constructor should have thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Failed);
  }
}

// ---- deadlines ------------------------------------------------------------------------------

// Holds whoever calls pass() until open(): the I/O below a suspended device.
class Gate {
 public:
  void pass() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void wait_until_entered() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return entered_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool open_ = false;
};

// The fake kernel, except that suspend() blocks until the gate opens, as a suspend that flushes
// I/O to a device that is itself suspended does. Everything else is the fake's.
class StuckSuspendBackend final : public KernelBackend {
 public:
  explicit StuckSuspendBackend(Gate& gate) : gate_(gate) {
    fake_.add_block_device({7, 1}, Sectors(8192));
  }

  std::string driver_version() override { return fake_.driver_version(); }
  std::vector<TargetVersion> targets() override { return fake_.targets(); }
  std::vector<MapListing> list() override { return fake_.list(); }
  std::optional<MapInfo> info(std::string_view name) override { return fake_.info(name); }
  std::vector<TargetLine> table(std::string_view name) override { return fake_.table(name); }
  std::vector<TargetLine> status(std::string_view name, bool noflush) override {
    return fake_.status(name, noflush);
  }
  std::vector<DeviceNumber> dependencies(std::string_view name) override {
    return fake_.dependencies(name);
  }
  MapInfo create(const CreateRequest& request) override { return fake_.create(request); }
  void load(std::string_view name, const std::vector<TargetLine>& table) override {
    fake_.load(name, table);
  }
  void clear_inactive(std::string_view name) override { fake_.clear_inactive(name); }
  void reload(std::string_view name, const std::vector<TargetLine>& table) override {
    fake_.reload(name, table);
  }
  void suspend(std::string_view name, bool noflush) override {
    gate_.pass();
    fake_.suspend(name, noflush);
  }
  void resume(std::string_view name) override { fake_.resume(name); }
  void remove(std::string_view name, const RemoveOptions& options) override {
    fake_.remove(name, options);
  }
  void rename(std::string_view name, std::string_view new_name) override {
    fake_.rename(name, new_name);
  }
  std::string message(std::string_view name, Sectors sector, std::string_view text) override {
    return fake_.message(name, sector, text);
  }
  std::uint32_t wait_event(std::string_view name, std::uint32_t event_number) override {
    return fake_.wait_event(name, event_number);
  }

 private:
  Gate& gate_;
  FakeKernelBackend fake_;
};

// What a job's `done` was given, once dispatched.
struct DoneCall {
  bool done = false;
  int calls = 0;
  std::exception_ptr error;
  Error error_or_fail() const {
    try {
      if (error)
        std::rethrow_exception(error);
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorKind::Failed, "(no mapperd::Error)");
  }
};

class AKernelThreadWithADeadline : public ::testing::Test {
 protected:
  static constexpr std::chrono::milliseconds kDeadline{100};

  AKernelThreadWithADeadline()
      : thread_([this] { return std::make_unique<StuckSuspendBackend>(gate_); }, kDeadline) {
    thread_.submit(
        [](KernelBackend& kernel) {
          kernel.create({"upper", "", {{Sectors(0), Sectors(8192), "linear", "7:1 0"}}, false});
        },
        [](std::exception_ptr) {});
    thread_.on_late_return(
        [this](const std::string& what, std::chrono::milliseconds, std::exception_ptr error) {
          late_.push_back(what);
          late_errors_.push_back(error);
        });
  }
  // Whatever a test did, the blocked call returns before the thread is joined.
  ~AKernelThreadWithADeadline() override { gate_.open(); }

  KernelThread::Done record(DoneCall& outcome) {
    return [&outcome](std::exception_ptr error) {
      outcome.done = true;
      ++outcome.calls;
      outcome.error = error;
    };
  }
  // Dispatches as the event loop does, each time the descriptor polls readable, until `until`
  // holds; false when ten seconds pass without it.
  bool dispatch_until(const std::function<bool()>& until) {
    while (!until()) {
      if (!readable(thread_.completion_fd(), std::chrono::seconds(10)))
        return false;
      thread_.dispatch_completions();
    }
    return true;
  }
  void submit_stuck_suspend(DoneCall& outcome) {
    thread_.submit(
        "suspend upper", [](KernelBackend& kernel) { kernel.suspend("upper", false); },
        record(outcome));
  }

  Gate gate_;
  KernelThread thread_;
  std::vector<std::string> late_;
  std::vector<std::exception_ptr> late_errors_;
};

TEST_F(AKernelThreadWithADeadline, TellsTheCallerOfABlockedCallThatTheKernelIsBlocked) {
  DoneCall suspend;
  submit_stuck_suspend(suspend);
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  const Error error = suspend.error_or_fail();
  EXPECT_EQ(error.kind(), ErrorKind::TimedOut);
  EXPECT_THAT(error.what(), HasSubstr("has not returned from suspend upper in 0.1 s"));
  EXPECT_THAT(error.what(), HasSubstr("dmsetup resume"));
}

TEST_F(AKernelThreadWithADeadline, FailsTheJobsQueuedBehindABlockedCallNamingItAndNeverRunsThem) {
  DoneCall suspend;
  DoneCall behind;
  bool ran = false;
  submit_stuck_suspend(suspend);
  thread_.submit([&ran](KernelBackend&) { ran = true; }, record(behind));
  ASSERT_TRUE(dispatch_until([&] { return suspend.done && behind.done; }));
  const Error error = behind.error_or_fail();
  EXPECT_EQ(error.kind(), ErrorKind::TimedOut);
  EXPECT_THAT(error.what(), HasSubstr("not run"));
  EXPECT_THAT(error.what(), HasSubstr("behind suspend upper"));

  gate_.open();
  ASSERT_TRUE(dispatch_until([&] { return !late_.empty(); }));
  EXPECT_FALSE(ran);
}

TEST_F(AKernelThreadWithADeadline,
       ReportsABlockedCallThatReturnsLateWithoutAnsweringItsCallerTwice) {
  DoneCall suspend;
  submit_stuck_suspend(suspend);
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  gate_.open();
  ASSERT_TRUE(dispatch_until([&] { return !late_.empty(); }));
  EXPECT_EQ(suspend.calls, 1);
  EXPECT_THAT(late_, ElementsAre("suspend upper"));
  EXPECT_EQ(late_errors_.front(), nullptr);
}

TEST_F(AKernelThreadWithADeadline, GivesALateReturnToTheJobsOwnLateBeforeReportingIt) {
  DoneCall suspend;
  DoneCall late;
  thread_.submit(
      "suspend upper", [](KernelBackend& kernel) { kernel.suspend("upper", false); },
      record(suspend),
      [&](std::exception_ptr error) {
        record(late)(error);
        EXPECT_TRUE(late_.empty()) << "the job's own late runs before the report";
      });
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  EXPECT_FALSE(late.done);
  gate_.open();
  ASSERT_TRUE(dispatch_until([&] { return !late_.empty(); }));
  EXPECT_EQ(late.calls, 1);
  EXPECT_EQ(late.error, nullptr);
  EXPECT_EQ(suspend.calls, 1);
}

TEST_F(AKernelThreadWithADeadline, NeverRunsTheLateOfAJobThatEndedInTimeOrWasWithdrawn) {
  DoneCall quick, quick_late, suspend, behind, behind_late;
  thread_.submit(
      "info upper", [](KernelBackend& kernel) { kernel.info("upper"); }, record(quick),
      record(quick_late));
  ASSERT_TRUE(dispatch_until([&] { return quick.done; }));
  submit_stuck_suspend(suspend);
  thread_.submit(
      "info upper", [](KernelBackend& kernel) { kernel.info("upper"); }, record(behind),
      record(behind_late));
  ASSERT_TRUE(dispatch_until([&] { return suspend.done && behind.done; }));
  gate_.open();
  ASSERT_TRUE(dispatch_until([&] { return !late_.empty(); }));
  EXPECT_FALSE(quick_late.done);
  EXPECT_FALSE(behind_late.done);
}

TEST_F(AKernelThreadWithADeadline, GoesOnWithNewJobsOnceTheBlockedCallReturns) {
  DoneCall suspend;
  submit_stuck_suspend(suspend);
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  gate_.open();
  ASSERT_TRUE(dispatch_until([&] { return !late_.empty(); }));

  DoneCall info;
  bool suspended = false;
  thread_.submit(
      [&suspended](KernelBackend& kernel) { suspended = kernel.info("upper")->suspended; },
      record(info));
  ASSERT_TRUE(dispatch_until([&] { return info.done; }));
  EXPECT_EQ(info.error, nullptr);
  EXPECT_TRUE(suspended) << "the late suspend took effect in the kernel";
}

TEST_F(AKernelThreadWithADeadline, NamesAJobSubmittedWithoutADescriptionByItsNumber) {
  DoneCall suspend;
  thread_.submit([](KernelBackend& kernel) { kernel.suspend("upper", false); }, record(suspend));
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  EXPECT_THAT(suspend.error_or_fail().what(), HasSubstr("has not returned from kernel job 2"));
}

TEST_F(AKernelThreadWithADeadline, IsNotReadableOnceTheTimedOutCallerWasTold) {
  DoneCall suspend;
  submit_stuck_suspend(suspend);
  gate_.wait_until_entered();
  ASSERT_TRUE(dispatch_until([&] { return suspend.done; }));
  EXPECT_FALSE(readable(thread_.completion_fd(), std::chrono::milliseconds(0)));
}

TEST(AKernelThreadGivenADeadlineOfZero, RefusesToStart) {
  try {
    KernelThread thread([] { return std::make_unique<FakeKernelBackend>(); },
                        std::chrono::milliseconds(0));
    FAIL() << "the constructor should have thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
  }
}

}  // namespace
}  // namespace mapperd
