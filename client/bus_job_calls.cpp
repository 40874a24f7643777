#include "bus_job_calls.h"

#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <deque>

#include "bus_map_properties.h"
#include "exit_status.h"
#include "object_path.h"

namespace mapperctl {
namespace {

constexpr const char* kService = "org.mapperd.Mapper1";
constexpr const char* kJobInterface = "org.mapperd.Mapper1.Job";
constexpr const char* kMapInterface = "org.mapperd.Mapper1.Map";

// A Job signal as it arrived, kept until the job's path is known; or word that mapperd's name
// changed hands (the daemon that runs the job is gone).
struct JobSignal {
  std::string path;
  bool mapperd_gone = false;
  bool completed = false;
  PropertyValues changed;
  bool success = false;
  std::string message;
};

// Dispatches what has arrived, or waits (a second at most) for more.
void dispatch_or_wait(sdbus::IConnection& connection) {
  if (connection.processPendingRequest())
    return;
  const sdbus::IConnection::PollData data = connection.getEventLoopPollData();
  pollfd fd{data.fd, data.events, 0};
  ::poll(&fd, 1, 1000);
}

}  // namespace

MergeReply merge_on(sdbus::IConnection& connection, const std::string& name,
                    std::map<std::string, sdbus::Variant> options, bool follow,
                    const std::function<void(const std::string&)>& on_started,
                    const std::function<void(const JobInfo&)>& on_update) {
  std::deque<JobSignal> arrived;
  sdbus::Slot changes;
  sdbus::Slot completions;
  sdbus::Slot owner_changes;
  if (follow) {
    // A mapperd killed or stopped mid-merge sends no Completed: without this the wait would
    // never end. The kernel goes on merging, and a mapperd that starts again follows it.
    owner_changes = connection.addMatch(
        std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                    "member='NameOwnerChanged',arg0='") +
            kService + "'",
        [&arrived](sdbus::Message& message) {
          std::string name, old_owner, new_owner;
          message >> name >> old_owner >> new_owner;
          // An empty old owner is mapperd appearing (activated by this very call), not leaving.
          if (old_owner.empty())
            return;
          JobSignal gone;
          gone.mapperd_gone = true;
          arrived.push_back(std::move(gone));
        });
    // Before the call: the job's first signals may come before its reply.
    changes = connection.addMatch(
        "type='signal',sender='org.mapperd.Mapper1',interface='org.freedesktop.DBus.Properties',"
        "member='PropertiesChanged',path_namespace='/org/mapperd/Mapper1/job'",
        [&arrived](sdbus::Message& message) {
          JobSignal signal;
          signal.path = message.getPath();
          std::string interface;
          std::vector<std::string> invalidated;
          message >> interface >> signal.changed >> invalidated;
          arrived.push_back(std::move(signal));
        });
    completions = connection.addMatch(
        "type='signal',sender='org.mapperd.Mapper1',interface='org.mapperd.Mapper1.Job',"
        "member='Completed',path_namespace='/org/mapperd/Mapper1/job'",
        [&arrived](sdbus::Message& message) {
          JobSignal signal;
          signal.path = message.getPath();
          signal.completed = true;
          message >> signal.success >> signal.message;
          arrived.push_back(std::move(signal));
        });
  }
  auto map = sdbus::createProxy(connection, kService, map_object_path(name));
  sdbus::ObjectPath job_path;
  map->callMethod("Merge")
      .onInterface(kMapInterface)
      .withArguments(options)
      .storeResultsTo(job_path);
  MergeReply reply;
  if (job_path == "/") {
    reply.deferred = true;
    return reply;
  }
  reply.job_path = job_path;
  if (!follow)
    return reply;
  on_started(job_path);
  JobInfo job;
  job.path = job_path;
  try {
    std::map<std::string, sdbus::Variant> all;
    sdbus::createProxy(connection, kService, job_path)
        ->callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments(std::string(kJobInterface))
        .storeResultsTo(all);
    apply_job_properties(all, job);
    on_update(job);
  } catch (const sdbus::Error&) {
    // Gone already: its Completed is among the signals that arrived.
  }
  while (!reply.completed) {
    while (arrived.empty())
      dispatch_or_wait(connection);
    JobSignal signal = std::move(arrived.front());
    arrived.pop_front();
    if (signal.mapperd_gone) {
      throw CommandError(ExitStatus::TimedOut,
                         "mapperd stopped while merging " + name +
                             "; the kernel goes on with the merge, and mapperd follows it to its "
                             "end once it runs again (mapperctl jobs shows it)",
                         "", "org.freedesktop.DBus.Error.NoReply");
    }
    if (signal.path != job_path)
      continue;
    if (signal.completed) {
      reply.completed = true;
      reply.success = signal.success;
      reply.message = signal.message;
    } else {
      apply_job_properties(signal.changed, job);
      on_update(job);
    }
  }
  return reply;
}

std::vector<JobInfo> jobs_on(sdbus::IConnection& connection) {
  std::map<sdbus::ObjectPath, std::map<std::string, PropertyValues>> objects;
  sdbus::createProxy(connection, kService, "/org/mapperd/Mapper1")
      ->callMethod("GetManagedObjects")
      .onInterface("org.freedesktop.DBus.ObjectManager")
      .storeResultsTo(objects);
  std::vector<JobInfo> jobs;
  for (const auto& [path, interfaces] : objects) {
    const auto job_interface = interfaces.find(kJobInterface);
    if (job_interface == interfaces.end())
      continue;
    JobInfo& job = jobs.emplace_back();
    job.path = path;
    apply_job_properties(job_interface->second, job);
  }
  return jobs;
}

}  // namespace mapperctl
