// The kernel thread: jobs run on one thread of their own, completions on the caller's.

#include "kernel/kernel_thread.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <future>
#include <thread>

#include "fakes/fake_kernel_backend.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;

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

}  // namespace
}  // namespace mapperd
