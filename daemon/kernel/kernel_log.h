#pragma once
// The kernel's own reasons. A device-mapper ioctl returns only an errno; why a table was refused
// ("device-mapper: table: 253:0: linear: Device lookup failed") goes to the kernel's log. This
// reads the records logged after a given moment from /dev/kmsg.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/device_ref.h"

namespace mapperd {

// One record as /dev/kmsg hands it out.
struct KmsgRecord {
  int level = 0;  // syslog level 0 (emergency) .. 7 (debug); the facility is stripped
  std::uint64_t sequence = 0;
  std::string message;  // the text, without the key=value lines that may follow it
  friend bool operator==(const KmsgRecord&, const KmsgRecord&) = default;
};

// Reads one record, "LEVEL,SEQUENCE,MICROSECONDS,FLAGS[,...];MESSAGE\n[ KEY=VALUE\n]...".
// Nothing when `raw` is not in that form.
std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw);

// Of `messages`, those that mention `device` as the kernel names maps in its log ("253:0:"), or
// all of them when none does (some refusals name no device).
std::vector<std::string> about_device(const std::vector<std::string>& messages,
                                      DeviceNumber device);

// A position in the kernel's log, taken when the object is made: messages() returns what was
// logged after it. Make one just before the ioctl whose refusal you want explained.
class KernelLogCursor {
 public:
  // Opens `path` (O_RDONLY | O_NONBLOCK) and moves to its end. When the log cannot be read (no
  // /dev/kmsg, no permission), the cursor reads nothing: the errno alone then has to do. Never
  // throws.
  explicit KernelLogCursor(const std::filesystem::path& path = "/dev/kmsg");
  ~KernelLogCursor();
  KernelLogCursor(const KernelLogCursor&) = delete;
  KernelLogCursor& operator=(const KernelLogCursor&) = delete;

  bool readable() const { return fd_ >= 0; }

  // The device-mapper messages ("device-mapper: ...") logged since the cursor was made or last
  // read, oldest first.
  std::vector<std::string> device_mapper_messages();

 private:
  int fd_ = -1;
};

}  // namespace mapperd
