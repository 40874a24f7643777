#include "job_object.h"

#include "model/error.h"
#include "object_paths.h"

namespace mapperd::bus {
namespace {

// What moves while a job runs; the rest is fixed at its start.
const std::vector<std::string> kMovingProperties = {
    "Progress", "ProgressValid", "BytesDone", "BytesTotal", "Rate", "ExpectedEndTime"};

}  // namespace

JobObject::JobObject(sdbus::IConnection& connection, BusServices& services, JobRecord job)
    : AdaptorInterfaces(connection, job_object_path(job.id)),
      services_(services),
      job_(std::move(job)) {}

// sdbus-c++ requires adaptors to unregister before their members go.
JobObject::~JobObject() {
  unregisterAdaptor();
}

void JobObject::announce_added() {
  registerAdaptor();
  emitInterfacesAddedSignal();
}

void JobObject::announce_changed(const JobRecord& job) {
  job_ = job;
  emitPropertiesChangedSignal(std::string(kJobInterface), kMovingProperties);
}

void JobObject::announce_completed(const JobRecord& job) {
  announce_changed(job);
  emitCompleted(job_.success, job_.message);
}

void JobObject::announce_removed() {
  emitInterfacesRemovedSignal();
}

std::vector<sdbus::ObjectPath> JobObject::Objects() {
  std::vector<sdbus::ObjectPath> paths;
  for (const std::string& name : job_.objects)
    paths.emplace_back(map_object_path(name));
  return paths;
}

// Answered at once, never after an authorization round trip: no job the engine runs today can
// stop, so there is nothing to authorize, and the object cannot go away under the reply.
void JobObject::Cancel(sdbus::Result<>&& result, Options options) {
  auto call = MethodCall<>::begin(std::move(result), getObject(), services_, CallKind::Change,
                                  "Cancel", job_.origin);
  call->guard([&] {
    CallOptions::read(options);
    if (job_.finished) {
      throw Error(ErrorKind::InvalidArgument,
                  "job " + std::to_string(job_.id) + " has already ended");
    }
    throw Error(ErrorKind::Failed,
                "job " + std::to_string(job_.id) + " (" + job_.operation +
                    ") cannot be cancelled: a merge cannot be undone partway; it runs to its "
                    "end, and the origin stays usable meanwhile");
  });
}

}  // namespace mapperd::bus
