// merge and jobs as whole command lines against an in-memory mapperd, and the job's output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "job_output.h"
#include "mapperctl_fixture.h"

namespace mapperctl {
namespace {

using ::testing::HasSubstr;
using testing::Mapperctl;
using ::testing::Not;
using testing::Result;

JobInfo half_done() {
  JobInfo job;
  job.path = "/org/mapperd/Mapper1/job/1";
  job.operation = "merge";
  job.maps = {"snap", "origin"};
  job.progress = 0.5;
  job.progress_valid = true;
  job.bytes_done = 6 << 20;
  job.bytes_total = 12 << 20;
  job.rate = 3 << 20;
  job.start_time = 1'000'000;
  job.expected_end = 3'000'000;
  return job;
}

class MergeVerbs : public Mapperctl {
 protected:
  MergeVerbs() { mapperd_.add_map("snap", 2, "0 4096 snapshot 254:1 7:3 P 8\n"); }
};

TEST_F(MergeVerbs, FollowsTheJobToItsEndWithALineForALog) {
  mapperd_.merge_updates = {half_done()};
  const Result result = run({"merge", "snap"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("merging snap into its origin (/org/mapperd/Mapper1/job/1)"));
  EXPECT_THAT(result.out, HasSubstr("merge snap: 50% (6.0 MiB of 12.0 MiB, 3.0 MiB/s"));
  EXPECT_THAT(result.out, HasSubstr("merged snap into origin"));
  EXPECT_TRUE(mapperd_.last_merge_options->follow);
  EXPECT_FALSE(mapperd_.last_merge_options->now);
}

TEST_F(MergeVerbs, PrintsOneJsonObjectPerUpdateAndOneForTheEnd) {
  mapperd_.merge_updates = {half_done(), half_done()};
  const Result result = run({"--json", "merge", "snap"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 3);
  EXPECT_THAT(result.out, HasSubstr("\"progress\":0.5"));
  EXPECT_THAT(result.out, HasSubstr("\"completed\":true,\"success\":true"));
}

TEST_F(MergeVerbs, PrintsTheJobAndReturnsWithNoBlock) {
  const Result result = run({"merge", "--no-block", "--now", "snap"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "/org/mapperd/Mapper1/job/1\n");
  EXPECT_FALSE(mapperd_.last_merge_options->follow);
  EXPECT_TRUE(mapperd_.last_merge_options->now);
}

TEST_F(MergeVerbs, SaysPlainlyThatAMergeWasDeferred) {
  mapperd_.merge_deferred = true;
  const Result result = run({"merge", "snap"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("nothing was changed"));
  EXPECT_THAT(result.out, HasSubstr("next boot"));
  EXPECT_THAT(result.out, HasSubstr("mapperctl merge --now snap"));
}

TEST_F(MergeVerbs, FailsWhenTheJobFails) {
  mapperd_.merge_success = false;
  mapperd_.merge_message = "the kernel marked the merge invalid";
  const Result result = run({"merge", "snap"});
  EXPECT_NE(result.status, 0);
  EXPECT_THAT(result.out + result.err, HasSubstr("the kernel marked the merge invalid"));
}

TEST_F(MergeVerbs, RefusesAnUnknownMapAndABadName) {
  EXPECT_NE(run({"merge", "nothing"}).status, 0);
  EXPECT_NE(run({"merge", "a/b"}).status, 0);
  EXPECT_NE(run({"merge"}).status, 0);
}

TEST_F(MergeVerbs, ListsRunningJobs) {
  EXPECT_THAT(run({"jobs"}).out, HasSubstr("No jobs running."));
  mapperd_.jobs = {half_done()};
  const Result result = run({"jobs"});
  EXPECT_THAT(result.out, HasSubstr("/org/mapperd/Mapper1/job/1\tmerge snap,origin: 50%"));
  const Result json = run({"--json", "jobs"});
  EXPECT_THAT(json.out, HasSubstr("\"job\":\"/org/mapperd/Mapper1/job/1\""));
  EXPECT_THAT(json.out, HasSubstr("\"maps\":[\"snap\",\"origin\"]"));
}

TEST(AJobsOutput, DrawsABarOfFixedWidthWithRateAndTimeLeft) {
  const JobInfo job = half_done();
  const std::string bar = progress_bar(job, 2'000'000);
  EXPECT_THAT(bar, HasSubstr("[###############...............]  50%"));
  EXPECT_THAT(bar, HasSubstr("3.0 MiB/s"));
  EXPECT_THAT(bar, HasSubstr("1 s left"));
  JobInfo later = job;
  later.progress = 0.9;
  EXPECT_EQ(progress_bar(later, 2'000'000).size(), bar.size());
  EXPECT_EQ(time_left_text(job, 0), "3 s");
  JobInfo slow = job;
  slow.expected_end = 65'000'000;
  EXPECT_EQ(time_left_text(slow, 0), "1:05");
  JobInfo unknown;
  EXPECT_EQ(time_left_text(unknown, 0), "?");
  EXPECT_EQ(byte_size_text(512), "512 B");
  EXPECT_EQ(byte_size_text(1536), "1.5 KiB");
  EXPECT_TRUE(job_json(unknown)["progress"].is_null());
}

}  // namespace
}  // namespace mapperctl
