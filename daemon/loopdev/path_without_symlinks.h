#pragma once
// Reaching a stored backing file by its absolute path without following a symbolic link in any
// component: root re-attaches loops at boot, and a directory on the path swapped for a link
// must not redirect it to another node.

#include <string>

namespace mapperd {

// An O_PATH descriptor (the caller closes it) for the absolute `path`, reached with
// openat2(RESOLVE_NO_SYMLINKS), or on kernels without openat2 (before 5.6) by
// walk_path_without_symlinks(). O_PATH opens no file: no driver sees it. -1 with errno set
// (ELOOP for a link) when it fails.
int open_path_without_symlinks(const std::string& path);

// The fallback: one component at a time from "/", each opened O_PATH|O_NOFOLLOW and refused
// with ELOOP if it is a link. Same result and errors as above.
int walk_path_without_symlinks(const std::string& path);

}  // namespace mapperd
