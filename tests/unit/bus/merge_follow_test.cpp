// mapperctl following a merge (client/bus_job_calls.cpp) against mapperd's bus layer on a private
// bus: the wait ends with the job's Completed, and also when mapperd goes away before the job
// ends (killed or stopped, it sends no Completed; the crash suite's kill points found the wait
// never ended).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "bus_client.h"
#include "bus_job_calls.h"
#include "exit_status.h"
#include "mapperd_on_private_bus.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr DeviceNumber kCow{7, 3};

class MapperctlFollowingAMerge : public ::testing::Test {
 protected:
  MapperctlFollowingAMerge()
      : mapperd_(std::make_unique<MapperdOnPrivateBus>(bus_.address())), client_(bus_.address()) {
    client_.create_map("origin", "0 4096 linear /dev/loop1 0\n");
    set_cow_usage(1000);
    client_.create_snapshot("origin", "snap", "/dev/cow1");
  }

  void set_cow_usage(std::uint64_t allocated) {
    mapperd_->on_kernel([allocated](FakeKernelBackend& fake) {
      fake.set_cow_usage(kCow, Sectors(allocated), Sectors(16));
    });
  }

  // Follows the merge of "snap" as `mapperctl merge` does, on a thread of its own; `started` is
  // set once the job exists. The outcome: "completed: MESSAGE" or "status N: MESSAGE".
  std::future<std::string> follow_merge() {
    return std::async(std::launch::async, [this] {
      auto connection = sdbus::createSessionBusConnectionWithAddress(bus_.address());
      try {
        const mapperctl::MergeReply reply = mapperctl::merge_on(
            *connection, "snap", {}, true,
            [this](const std::string& job) {
              job_ = job;
              started_.set_value();
            },
            [](const mapperctl::JobInfo&) {});
        return "completed: " + reply.message;
      } catch (const mapperctl::CommandError& error) {
        return "status " + std::to_string(static_cast<int>(error.status())) + ": " + error.what();
      }
    });
  }

  // Waits (bounded) for the follower's outcome. If it is still waiting, it is rescued first, so
  // that the failure ends the test instead of hanging it: a connection poses as mapperd and ends
  // the job.
  std::string outcome_of(std::future<std::string>& outcome) {
    if (outcome.wait_for(30s) == std::future_status::ready)
      return outcome.get();
    auto impostor = sdbus::createSessionBusConnectionWithAddress(bus_.address());
    impostor->requestName("org.mapperd.Mapper1");
    auto job = sdbus::createObject(*impostor, job_);
    sdbus::Signal completed = job->createSignal("org.mapperd.Mapper1.Job", "Completed");
    completed << false << std::string("ended by the test");
    job->emitSignal(completed);
    return "still following after 30 s (then: " + outcome.get() + ")";
  }

  PrivateBus bus_;
  std::unique_ptr<MapperdOnPrivateBus> mapperd_;
  BusClient client_;
  std::promise<void> started_;
  std::string job_;  // written before started_ is set
};

TEST_F(MapperctlFollowingAMerge, EndsWithTheJob) {
  std::future<std::string> outcome = follow_merge();
  started_.get_future().wait();
  set_cow_usage(16);  // only the metadata left: the merge is done
  EXPECT_THAT(outcome_of(outcome), HasSubstr("completed: "));
}

TEST_F(MapperctlFollowingAMerge, EndsWhenMapperdGoesAwayBeforeTheJobEnds) {
  std::future<std::string> outcome = follow_merge();
  started_.get_future().wait();
  mapperd_.reset();  // the merge is half done
  const std::string text = outcome_of(outcome);
  EXPECT_THAT(text, HasSubstr("status " +
                              std::to_string(static_cast<int>(mapperctl::ExitStatus::TimedOut))));
  EXPECT_THAT(text, HasSubstr("mapperd stopped while merging snap"));
  EXPECT_THAT(text, HasSubstr("mapperctl jobs"));
}

}  // namespace
}  // namespace mapperd::testing
