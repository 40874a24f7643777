#include "loopdev/loop_errors.h"

#include <cerrno>
#include <cstring>

namespace mapperd::loop_errors {
namespace {

std::string head(std::string_view operation, std::string_view object, int error_number) {
  std::string text = std::string(operation) + " " + std::string(object) + ": ";
  if (error_number != 0)
    text += errno_name(error_number) + ": ";
  return text;
}

}  // namespace

std::string errno_name(int error_number) {
  const char* name = ::strerrorname_np(error_number);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(error_number);
}

std::string loop_name(std::uint32_t index) {
  return "loop" + std::to_string(index);
}

Error not_attachable(std::string_view operation, std::string_view file, std::string_view why,
                     int error_number) {
  return Error(ErrorKind::InvalidArgument,
               head(operation, file, error_number) + std::string(why) +
                   "; a loop device needs a regular file",
               error_number);
}

Error symbolic_link(std::string_view operation, std::string_view path) {
  return Error(ErrorKind::InvalidArgument,
               head(operation, path, ELOOP) +
                   "is a symbolic link, which is not followed; give the path of the file itself",
               ELOOP);
}

Error symbolic_link_on_path(std::string_view operation, std::string_view path) {
  return Error(ErrorKind::InvalidArgument,
               head(operation, path, ELOOP) +
                   "the path goes through a symbolic link, which is not followed (a directory "
                   "on it was replaced by a link?); attach the file by its real path",
               ELOOP);
}

Error no_such_file(std::string_view operation, std::string_view path, int error_number) {
  return Error(ErrorKind::NotFound,
               head(operation, path, error_number) +
                   "no such file (if it lives on a filesystem that is not mounted yet, mount it)",
               error_number);
}

Error file_replaced(std::string_view operation, std::string_view path, DeviceNumber was_device,
                    std::uint64_t was_inode, DeviceNumber now_device, std::uint64_t now_inode) {
  return Error(ErrorKind::InvalidArgument,
               head(operation, path, 0) + "was inode " + std::to_string(was_inode) + " on " +
                   was_device.to_string() + ", now inode " + std::to_string(now_inode) + " on " +
                   now_device.to_string() +
                   ": not the file that was attached, so it is not attached in its place; "
                   "attach the new file explicitly if it is the right one");
}

Error not_bound(std::string_view operation, std::uint32_t index) {
  return Error(ErrorKind::NotFound,
               head(operation, "/dev/" + loop_name(index), ENXIO) + "no file is bound to it",
               ENXIO);
}

Error busy(std::string_view operation, std::uint32_t index, std::string_view by) {
  return Error(ErrorKind::Busy,
               head(operation, "/dev/" + loop_name(index), EBUSY) + "in use by " + std::string(by) +
                   "; stop using it first",
               EBUSY);
}

Error kernel_failure(std::string_view operation, std::string_view object, int error_number,
                     std::string_view detail) {
  std::string text = head(operation, object, error_number);
  text += detail.empty() ? std::string(std::strerror(error_number)) : std::string(detail);
  return Error(ErrorKind::Kernel, text, error_number);
}

Error system_failure(std::string_view operation, std::string_view object, int error_number,
                     std::string_view detail) {
  std::string text = head(operation, object, error_number);
  text += detail.empty() ? std::string(std::strerror(error_number)) : std::string(detail);
  return Error(ErrorKind::Failed, text, error_number);
}

}  // namespace mapperd::loop_errors
