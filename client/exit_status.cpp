#include "exit_status.h"

#include <array>
#include <utility>

namespace mapperctl {
namespace {

constexpr std::string_view kMapperdErrorPrefix = "org.mapperd.Mapper1.Error.";
constexpr std::string_view kDBusErrorPrefix = "org.freedesktop.DBus.Error.";

constexpr std::array<std::pair<std::string_view, ExitStatus>, 12> kMapperdErrors = {{
    {"InvalidTable", ExitStatus::Invalid},
    {"InvalidName", ExitStatus::Invalid},
    {"InvalidArgument", ExitStatus::Invalid},
    {"NotFound", ExitStatus::NotFound},
    {"AlreadyExists", ExitStatus::AlreadyExists},
    {"Busy", ExitStatus::Busy},
    {"DeviceMissing", ExitStatus::DeviceMissing},
    {"NotOwned", ExitStatus::NotOwned},
    {"Kernel", ExitStatus::Failed},
    {"Store", ExitStatus::Failed},
    {"TimedOut", ExitStatus::TimedOut},
    {"Failed", ExitStatus::Failed},
}};

constexpr std::array<std::pair<std::string_view, ExitStatus>, 14> kDBusErrors = {{
    {"AccessDenied", ExitStatus::AccessDenied},
    {"AuthFailed", ExitStatus::AccessDenied},
    {"InteractiveAuthorizationRequired", ExitStatus::AccessDenied},
    // Nobody owns the name (and activation is not set up), or the bus itself is gone.
    {"ServiceUnknown", ExitStatus::Unreachable},
    {"NameHasNoOwner", ExitStatus::Unreachable},
    {"NoServer", ExitStatus::Unreachable},
    {"Disconnected", ExitStatus::Unreachable},
    {"FileNotFound", ExitStatus::Unreachable},
    {"SpawnFailed", ExitStatus::Unreachable},
    // The request reached the daemon but no answer came back in time: unlike "unreachable",
    // the change may have happened, which is what TimedOut tells a script.
    {"NoReply", ExitStatus::TimedOut},
    {"Timeout", ExitStatus::TimedOut},
    {"TimedOut", ExitStatus::TimedOut},
    // sd-bus answers these for an object path nobody exports: the map does not exist.
    {"UnknownObject", ExitStatus::NotFound},
    {"UnknownInterface", ExitStatus::NotFound},
}};

template <std::size_t N>
ExitStatus look_up(const std::array<std::pair<std::string_view, ExitStatus>, N>& table,
                   std::string_view suffix) {
  for (const auto& [name, status] : table) {
    if (name == suffix)
      return status;
  }
  return ExitStatus::Failed;
}

}  // namespace

std::string CommandError::dbus_name() const {
  if (!dbus_name_.empty() || kind_.empty())
    return dbus_name_;
  return std::string(kMapperdErrorPrefix) + kind_;
}

ExitStatus exit_status_for_dbus_error(std::string_view error_name) {
  if (error_name.starts_with(kMapperdErrorPrefix)) {
    return look_up(kMapperdErrors, error_name.substr(kMapperdErrorPrefix.size()));
  }
  if (error_name.starts_with(kDBusErrorPrefix)) {
    return look_up(kDBusErrors, error_name.substr(kDBusErrorPrefix.size()));
  }
  return ExitStatus::Failed;
}

}  // namespace mapperctl
