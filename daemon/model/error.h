#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mapperd {

// What went wrong, in the terms a caller can act on. The bus layer maps each kind to one
// org.mapperd.Mapper1.Error.* name (Failed: anything that is none of the others).
enum class ErrorKind {
  InvalidTable,
  InvalidName,
  InvalidArgument,
  NotFound,
  AlreadyExists,
  Busy,
  DeviceMissing,
  NotOwned,
  Kernel,
  Store,
  TimedOut,
  Failed,
};

// "InvalidTable", "NotFound", ...: the suffix of the D-Bus error name.
std::string_view error_kind_name(ErrorKind kind);

// The one error type every layer throws. The message names the object, the operation and, for
// system calls, the errno text: "create twoasone: EBUSY: device is in use (open count 1)".
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, int error_number = 0)
      : std::runtime_error(message), kind_(kind), error_number_(error_number) {}

  ErrorKind kind() const noexcept { return kind_; }
  // The errno behind a kernel or store failure; 0 when there is none.
  int error_number() const noexcept { return error_number_; }

 private:
  ErrorKind kind_;
  int error_number_;
};

// The message of whatever `error` holds, for logs and rollback reports; "unknown error" for a
// thrown value that is no std::exception.
std::string describe(std::exception_ptr error);

}  // namespace mapperd
