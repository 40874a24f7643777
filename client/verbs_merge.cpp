// merge and jobs: a snapshot rolled back into its origin, followed as a job, and the jobs that
// run.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ostream>

#include "job_output.h"
#include "verb_support.h"
#include "verbs.h"

namespace mapperctl {
namespace {

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// What Ctrl-C prints while a merge is followed: the job goes on in mapperd. Written by the
// signal handler, so it is made before the handler is installed and never changed after.
char interrupt_note[512];

extern "C" void leave_job_running(int) {
  const ssize_t ignored = ::write(STDERR_FILENO, interrupt_note, std::strlen(interrupt_note));
  (void)ignored;
  ::_exit(130);
}

void on_interrupt_say(const std::string& job_path) {
  std::snprintf(interrupt_note, sizeof interrupt_note,
                "\nmapperctl: stopped following; the merge goes on in mapperd (%s).\n"
                "Follow it with 'mapperctl jobs' or 'mapperctl monitor'.\n",
                job_path.c_str());
  struct sigaction action {};
  action.sa_handler = leave_job_running;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
}

}  // namespace

void run_merge(Invocation& invocation) {
  const std::string& name = invocation.argument(0);
  invocation.set_subject("merge " + name);
  check_map_name(name);
  const CommandLine& command = invocation.command();
  MergeOptions options;
  options.now = command.has("now");
  options.follow = !command.has("no-block");
  const bool terminal = !invocation.json() && ::isatty(STDOUT_FILENO) == 1;
  std::ostream& out = invocation.out();
  std::uint64_t last_line_us = 0;
  bool drew_bar = false;
  const std::string subject = "merge " + name;
  auto on_started = [&](const std::string& job_path) {
    on_interrupt_say(job_path);
    if (!invocation.json())
      out << "merging " << name << " into its origin (" << job_path << ")\n" << std::flush;
  };
  auto on_update = [&](const JobInfo& job) {
    const std::uint64_t now = now_us();
    if (invocation.json()) {
      invocation.print_json(job_json(job));
    } else if (terminal) {
      out << "\r" << progress_bar(job, now) << std::flush;
      drew_bar = true;
    } else if (now - last_line_us >= 3'000'000) {
      // A log gets a line every few seconds, not one per update.
      out << progress_line(subject, job, now) << "\n" << std::flush;
      last_line_us = now;
    }
  };
  const MergeReply reply =
      invocation.mapperd().merge_snapshot(name, options, on_started, on_update);
  if (drew_bar)
    out << "\n";
  if (reply.deferred) {
    if (invocation.json()) {
      invocation.print_json(Json{{"snapshot", name}, {"deferred", true}});
      return;
    }
    out << "The origin of " << name << " or " << name
        << " itself is open (mounted?), so nothing was changed: the merge is recorded "
           "(MergePending) and starts at the next boot, or run 'mapperctl merge --now "
        << name << "' once both are closed.\n";
    return;
  }
  if (!options.follow) {
    if (invocation.json())
      invocation.print_json(Json{{"snapshot", name}, {"job", reply.job_path}});
    else
      out << reply.job_path << "\n";
    return;
  }
  if (invocation.json()) {
    invocation.print_json(Json{{"job", reply.job_path},
                               {"completed", true},
                               {"success", reply.success},
                               {"message", reply.message}});
  } else {
    out << (reply.success ? "" : "merge failed: ") << reply.message << "\n";
  }
  if (!reply.success)
    throw CommandError(ExitStatus::Failed, reply.message);
}

void run_jobs(Invocation& invocation) {
  const std::vector<JobInfo> jobs = invocation.mapperd().list_jobs();
  if (invocation.json()) {
    Json list = Json::array();
    for (const JobInfo& job : jobs)
      list.push_back(job_json(job));
    invocation.print_json(list);
    return;
  }
  std::ostream& out = invocation.out();
  if (jobs.empty()) {
    if (invocation.legend())
      out << "No jobs running.\n";
    return;
  }
  const std::uint64_t now = now_us();
  for (const JobInfo& job : jobs) {
    std::string maps;
    for (const std::string& map : job.maps)
      maps += (maps.empty() ? "" : ",") + map;
    out << job.path << "\t" << progress_line(job.operation + " " + maps, job, now) << "\n";
  }
}

}  // namespace mapperctl
