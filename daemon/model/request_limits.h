#pragma once

#include <cstddef>

namespace mapperd {

// Bounds on sizes a caller controls outside tables (table_limits.h) and names (names.h). A
// request at a limit is accepted; one past it is refused with InvalidArgument before the kernel
// is asked.

// A target message ("@stats_create - /1", "set_policy ..."): the longest real ones (dm-stats
// with a program id and aux data, cache policy settings) are a few hundred bytes; the kernel
// copies the whole text into its ioctl buffer.
inline constexpr std::size_t kMaxMessageBytes = 4096;

}  // namespace mapperd
