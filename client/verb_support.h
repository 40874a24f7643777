#pragma once
// Small helpers the verbs share: reading a table, checking names, parsing numbers.

#include <cstdint>
#include <optional>
#include <string>

#include "invocation.h"
#include "mapper_service.h"

namespace mapperctl {

// The table a verb was given: --table TEXT, the file at `file_argument` (unless absent or
// "-"), or standard input. Throws CommandError(Failed) when the file cannot be read, Usage
// when both --table and a file are given.
std::string read_table(Invocation& invocation, std::optional<std::size_t> file_argument);

// Throws CommandError(Invalid) with the model's reason unless `name` is a valid map name, so a
// bad name fails before anything is sent (and in --dry-run).
void check_map_name(const std::string& name);

// --uuid, --readonly, --not-persistent.
CreateOptions create_options(const Invocation& invocation);

// A decimal sector number for `what` ("sector"); throws CommandError(Usage).
std::uint64_t parse_sector(const std::string& text, const std::string& what);

}  // namespace mapperctl
