#pragma once

#include <sdbus-c++/StandardInterfaces.h>
#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <string>
#include <vector>

#include "engine/jobs.h"
#include "mapperd-dbus/mapper1_adaptor.h"
#include "method_call.h"

namespace mapperd::bus {

// The D-Bus face of one engine job: /org/mapperd/Mapper1/job/N with org.mapperd.Mapper1.Job, in
// the udisks2 shape. It keeps the record the engine last announced, so its properties never
// wait, and stays readable after the job ended until the engine lets it go.
//
// Constructing it does not export it: announce_added() does, then sends InterfacesAdded.
class JobObject final
    : public sdbus::AdaptorInterfaces<org::mapperd::Mapper1::Job_adaptor,
                                      sdbus::ManagedObject_adaptor, sdbus::Properties_adaptor> {
 public:
  JobObject(sdbus::IConnection& connection, BusServices& services, JobRecord job);
  ~JobObject();

  JobObject(const JobObject&) = delete;
  JobObject& operator=(const JobObject&) = delete;

  void announce_added();
  // Takes the new record; PropertiesChanged with the values that move.
  void announce_changed(const JobRecord& job);
  // Takes the ended record; PropertiesChanged, then Completed(success, message).
  void announce_completed(const JobRecord& job);
  void announce_removed();

 private:
  using Options = std::map<std::string, sdbus::Variant>;

  void Cancel(sdbus::Result<>&& result, Options options) override;

  std::string Operation() override { return job_.operation; }
  std::vector<sdbus::ObjectPath> Objects() override;
  double Progress() override { return job_.progress(); }
  bool ProgressValid() override { return job_.progress_valid; }
  uint64_t BytesDone() override { return job_.bytes_done; }
  uint64_t BytesTotal() override { return job_.bytes_total; }
  uint64_t Rate() override { return job_.rate; }
  uint64_t StartTime() override { return job_.start_time_us; }
  uint64_t ExpectedEndTime() override { return job_.expected_end_us; }
  uint32_t StartedByUID() override { return job_.started_by_uid; }
  bool Cancelable() override { return job_.cancelable; }

  BusServices& services_;
  JobRecord job_;
};

}  // namespace mapperd::bus
