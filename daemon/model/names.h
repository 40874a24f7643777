#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mapperd {

// The kernel allows 127 bytes (DM_NAME_LEN - 1) and 128 bytes (DM_UUID_LEN - 1).
inline constexpr std::size_t kMaxNameBytes = 127;
inline constexpr std::size_t kMaxUuidBytes = 128;

// Every map mapperd creates carries this UUID prefix; it is how we tell our maps from LVM's
// ("LVM-") or cryptsetup's ("CRYPT-"), which we list but never change.
inline constexpr std::string_view kOwnedUuidPrefix = "MAPPERD-";

// Throws Error(InvalidName) unless `name` is 1..127 bytes of [A-Za-z0-9#+-.:=@_], does not
// start with '-', and is not ".", ".." or "control" (Debian 12's kernel accepts those three;
// they would shadow /dev/mapper entries). The message says which rule failed and where.
void validate_map_name(std::string_view name);

// Throws Error(InvalidArgument) unless `uuid` is 1..128 bytes of the same characters as a name.
void validate_uuid(std::string_view uuid);

// The UUID mapperd gives a map: the prefix plus the caller's UUID, or plus a random 32-digit hex
// string when the caller gave none. Throws Error(InvalidArgument) when the result would be
// invalid or too long. A caller's UUID that already carries the prefix is taken as it is.
std::string owned_uuid(std::string_view caller_uuid);

// Which tool a map's UUID says made it.
enum class MapOwner { Mapperd, Lvm, Cryptsetup, Other };
MapOwner owner_of(std::string_view uuid);

}  // namespace mapperd
