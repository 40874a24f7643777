#include "error_translation.h"

namespace mapperd::bus {

std::string dbus_error_name(ErrorKind kind) {
  return "org.mapperd.Mapper1.Error." + std::string(error_kind_name(kind));
}

sdbus::Error to_dbus_error(std::exception_ptr error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      return sdbus::Error(dbus_error_name(e.kind()), e.what());
    } catch (const sdbus::Error& e) {
      return e;
    } catch (const std::exception& e) {
      return sdbus::Error(dbus_error_name(ErrorKind::Failed),
                          std::string("internal error: ") + e.what());
    } catch (...) {
      return sdbus::Error(dbus_error_name(ErrorKind::Failed), "internal error");
    }
  } catch (...) {
    // Building the error itself failed (out of memory): a fixed error needs no allocation beyond
    // what sdbus::Error does for any reply.
    return sdbus::Error("org.mapperd.Mapper1.Error.Failed");
  }
}

}  // namespace mapperd::bus
