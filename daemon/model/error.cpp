#include "error.h"

namespace mapperd {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidTable:
      return "InvalidTable";
    case ErrorKind::InvalidName:
      return "InvalidName";
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::NotFound:
      return "NotFound";
    case ErrorKind::AlreadyExists:
      return "AlreadyExists";
    case ErrorKind::Busy:
      return "Busy";
    case ErrorKind::DeviceMissing:
      return "DeviceMissing";
    case ErrorKind::NotOwned:
      return "NotOwned";
    case ErrorKind::Kernel:
      return "Kernel";
    case ErrorKind::Store:
      return "Store";
    case ErrorKind::TimedOut:
      return "TimedOut";
    case ErrorKind::Failed:
      return "Failed";
  }
  // A value outside the enum (a cast from a bad integer) is still an error of some kind.
  return "Failed";
}

std::string describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace mapperd
