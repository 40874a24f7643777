#pragma once

#include <memory>

#include "mapper_service.h"

namespace mapperctl {

// Connects to mapperd: on the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured), or on
// options.host's over ssh. Throws CommandError(Unreachable) when there is no bus to connect to;
// that nobody owns org.mapperd.Mapper1 shows on the first call.
std::unique_ptr<MapperService> connect_to_mapperd(const ConnectionOptions& options);

}  // namespace mapperctl
