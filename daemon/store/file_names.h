#pragma once
// Internal to the store: which file holds which definition, and which names may be files.

#include <cstddef>
#include <string>
#include <string_view>

#include "model/device_identity.h"

namespace mapperd::store {

// NAME_MAX (255) less what write_file_atomically wraps a name in for its temporary file
// (".", ".tmp-XXXXXX": 12 bytes).
inline constexpr std::size_t kMaxFileNameBytes = 243;

// Throws Error(InvalidName) unless NAME is a valid map name (model/names.h) that can be a file
// name: no '/', and not starting with '.' (the store's own temporary files do).
void check_map_name(std::string_view name);

// "NAME.json". Throws as check_map_name.
std::string map_file_name(std::string_view name);

// PATH escaped as `systemd-escape --path` does: "/var/lib/x.img" -> "var-lib-x.img"; '/' becomes
// '-', every byte outside [A-Za-z0-9:_.] and a leading '.' become "\xNN"; empty and "."
// components are dropped. Throws Error(InvalidArgument) for a path that is not absolute, has a
// ".." component or a NUL byte.
std::string escape_path(std::string_view path);

// "<escaped backing file>@<offset>.json": "var-lib-x.img@0.json". The escape never has '@', so
// the name is unambiguous. A name that would be longer than kMaxFileNameBytes keeps the start of
// the escaped path, cut where no "\xNN" is split, followed by '~' and 16 hex digits of a hash
// (FNV-1a, 64 bits) of the whole path: "...~0123456789abcdef@0.json". Throws as escape_path.
std::string loop_file_name(const LoopBacking& backing);

// "UUID.json" for a map's runtime facts. Throws Error(InvalidName) unless UUID is a valid UUID
// (model/names.h) starting with "MAPPERD-".
std::string facts_file_name(std::string_view uuid);

// "ID.json" for an operation intent. Throws Error(InvalidName) unless ID is 1..128 bytes of
// [A-Za-z0-9_.:@-] and does not start with '.'.
std::string intent_file_name(std::string_view id);

}  // namespace mapperd::store
