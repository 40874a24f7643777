#pragma once
// mapperctl's JSON, written by nlohmann-json. Objects keep their members in insertion order, so
// the output reads in the order docs/mapperctl.md lists the fields.

#include <nlohmann/json.hpp>
#include <string>

#include "command_line.h"

namespace mapperctl {

using Json = nlohmann::ordered_json;

// `value` as --json=short (one line, no spaces) or --json=pretty (indented) writes it, without
// the newline. Bytes that are not valid UTF-8 (a file name, a kernel message) become U+FFFD, so
// the output is always valid JSON.
std::string json_text(const Json& value, JsonMode mode);

}  // namespace mapperctl
