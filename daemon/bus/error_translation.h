#pragma once

#include <sdbus-c++/Error.h>

#include <exception>
#include <string>

#include "model/error.h"

namespace mapperd::bus {

// "org.mapperd.Mapper1.Error.NotFound", ...
std::string dbus_error_name(ErrorKind kind);

// THE one place an exception becomes a D-Bus error. Every method handler and property getter
// of the bus layer ends up here, because sdbus-c++ 1.2.0 terminates the process when anything
// but an sdbus::Error leaves a handler:
//  - mapperd::Error -> org.mapperd.Mapper1.Error.<Kind> with its message;
//  - sdbus::Error -> itself (already a D-Bus error, e.g. from reading the caller's credentials);
//  - anything else -> org.mapperd.Mapper1.Error.Failed, "internal error: " + what().
sdbus::Error to_dbus_error(std::exception_ptr error) noexcept;

}  // namespace mapperd::bus
