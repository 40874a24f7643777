#include "kernel/kernel_errors.h"

#include <cerrno>
#include <cstring>

namespace mapperd::kernel_errors {
namespace {

std::string subject(std::string_view operation, std::string_view name) {
  std::string text(operation);
  if (!name.empty())
    text.append(" ").append(name);
  return text;
}

Error make(ErrorKind kind, std::string_view operation, std::string_view name, int error_number,
           std::string_view meaning) {
  std::string message = subject(operation, name) + ": ";
  if (error_number != 0)
    message += errno_name(error_number) + ": ";
  message += meaning;
  return Error(kind, message, error_number);
}

}  // namespace

std::string errno_name(int error_number) {
  // glibc >= 2.32; returns nullptr for numbers it does not know.
  const char* name = strerrorname_np(error_number);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(error_number);
}

Error map_not_found(std::string_view operation, std::string_view name) {
  return make(ErrorKind::NotFound, operation, name, ENXIO, "no map with this name");
}

Error map_exists(std::string_view operation, std::string_view name) {
  return make(ErrorKind::AlreadyExists, operation, name, EEXIST,
              "a map with this name already exists");
}

Error uuid_exists(std::string_view operation, std::string_view name, std::string_view uuid) {
  return make(ErrorKind::AlreadyExists, operation, name, EEXIST,
              "a map with UUID " + std::string(uuid) + " already exists");
}

Error map_busy(std::string_view operation, std::string_view name, std::int32_t open_count) {
  return make(ErrorKind::Busy, operation, name, EBUSY,
              "device is in use (open count " + std::to_string(open_count) + ")");
}

Error busy(std::string_view operation, std::string_view name, std::string_view detail) {
  std::string meaning = "device or resource busy";
  if (!detail.empty())
    meaning.append(": ").append(detail);
  return make(ErrorKind::Busy, operation, name, EBUSY, meaning);
}

Error name_taken(std::string_view operation, std::string_view name, std::string_view new_name) {
  return make(ErrorKind::AlreadyExists, operation, name, EEXIST,
              "a map named " + std::string(new_name) + " already exists");
}

Error device_missing(std::string_view operation, std::string_view name, std::string_view device,
                     std::string_view detail) {
  std::string meaning =
      device.empty() ? "the table names a device that does not exist"
                     : "the table names device " + std::string(device) + ", which does not exist";
  if (!detail.empty())
    meaning.append(" (").append(detail).append(")");
  return make(ErrorKind::DeviceMissing, operation, name, ENODEV, meaning);
}

Error invalid_table(std::string_view operation, std::string_view name, std::string_view reason) {
  std::string meaning = "the kernel refused the table";
  if (!reason.empty())
    meaning.append(": ").append(reason);
  return make(ErrorKind::InvalidTable, operation, name, EINVAL, meaning);
}

Error message_refused(std::string_view operation, std::string_view name, std::string_view reason) {
  std::string meaning = "the target refused the message";
  if (!reason.empty())
    meaning.append(": ").append(reason);
  return make(ErrorKind::InvalidArgument, operation, name, EINVAL, meaning);
}

Error udev_timed_out(std::string_view operation, std::string_view name,
                     std::chrono::milliseconds waited) {
  return make(ErrorKind::TimedOut, operation, name, 0,
              "udev did not finish processing the device's events within " +
                  std::to_string(waited.count()) +
                  " ms; the udev cookie was completed and released, /dev/mapper may lag behind");
}

Error udev_not_running(std::string_view operation, std::string_view name) {
  return make(ErrorKind::Kernel, operation, name, 0,
              "udev is not running (no /run/udev/control), so /dev/mapper/" + std::string(name) +
                  " would not be managed; start systemd-udevd");
}

Error kernel_failure(std::string_view operation, std::string_view name, int error_number,
                     std::string_view detail) {
  // Without an errno the failure came before the ioctl, and `detail` is all there is to say.
  std::string meaning = error_number != 0 ? std::string(std::strerror(error_number)) : "";
  if (!detail.empty())
    meaning.append(meaning.empty() ? "" : ": ").append(detail);
  if (meaning.empty())
    meaning = "failed";
  return make(ErrorKind::Kernel, operation, name, error_number, meaning);
}

Error load_refused(std::string_view operation, std::string_view name, int error_number,
                   const std::vector<std::string>& kernel_messages, std::string_view libdm,
                   bool map_exists) {
  std::string reason;
  for (const std::string& message : kernel_messages) {
    reason += (reason.empty() ? "" : "; ") + message;
  }
  if (reason.empty())
    reason = libdm;
  for (const std::string& message : kernel_messages) {
    if (message.find("Device lookup failed") != std::string::npos) {
      return device_missing(operation, name, "", message);
    }
  }
  switch (error_number) {
    case EINVAL:
      return invalid_table(operation, name, reason);
    case ENXIO:
      if (!map_exists)
        return map_not_found(operation, name);
      return device_missing(operation, name, "", reason);
    case ENODEV:
    case ENOENT:
    case ENOTBLK:
      return device_missing(operation, name, "", reason);
    case EBUSY:
      return busy(operation, name, reason);
    default:
      return kernel_failure(operation, name, error_number, reason);
  }
}

Error with_note(const Error& error, std::string_view note) {
  return Error(error.kind(), std::string(error.what()) + "; " + std::string(note),
               error.error_number());
}

}  // namespace mapperd::kernel_errors
