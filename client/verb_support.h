#pragma once
// Small helpers the verbs share: reading a table, checking names, parsing numbers.

#include <cstdint>
#include <optional>
#include <string>

#include "exit_status.h"
#include "invocation.h"
#include "json_output.h"
#include "mapper_service.h"

namespace mapperctl {

// The table a verb was given: --table TEXT, the file at `file_argument` (unless absent or
// "-"), or standard input. Throws CommandError(Failed) when the file cannot be read, Usage
// when both --table and a file are given.
std::string read_table(Invocation& invocation, std::optional<std::size_t> file_argument);

// Throws CommandError(Invalid) with the model's reason unless `name` is a valid map name, so a
// bad name fails before anything is sent (and in --dry-run).
void check_map_name(const std::string& name);

// --uuid, --readonly, --not-persistent, --wait-for-devices (which needs a persistent map:
// CommandError(Usage) otherwise).
CreateOptions create_options(const Invocation& invocation);

// Opens a loop's backing file as the user running mapperctl, so the kernel checks the user's own
// right to it: read-write, or read-only for a read-only loop; close-on-exec. Returns the
// descriptor (the caller closes it); throws open_failure().
int open_backing_file(const std::string& file, bool read_only);

// Why `file` could not be opened (errno `error`), as the exit status says it: a file that is not
// there is NotFound, one the user may not open as asked AccessDenied (with a hint towards
// --read-only when writing was asked), anything else Failed.
CommandError open_failure(const std::string& file, bool read_only, int error);

// For --json after a change: the map `name` as mapperd now describes it (map_json(), with its
// object path). The subject stays what it was: this read is part of the change's report.
Json made_map_json(Invocation& invocation, const std::string& name);

// A decimal sector number for `what` ("sector"); throws CommandError(Usage).
std::uint64_t parse_sector(const std::string& text, const std::string& what);

}  // namespace mapperctl
