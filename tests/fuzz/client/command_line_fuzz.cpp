// mapperctl's command line (client/command_line.h) on any argument vector: the fuzzer's bytes
// cut at NUL bytes, as argv arrives. The line is either refused with a usage error naming the
// offending word, or parsed into a verb with only options that verb accepts. Kept to the one
// public parse entry point so it follows the parser wherever it moves.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "exit_status.h"
#include "fuzz_check.h"
#include "verbs.h"

namespace mapperctl {
namespace {

// argv is at most a few thousand words; more only slows the fuzzer down.
constexpr std::size_t kMaxArguments = 64;

std::vector<std::string> arguments_of(std::string_view bytes) {
  std::vector<std::string> args;
  while (!bytes.empty() && args.size() < kMaxArguments) {
    const std::size_t end = bytes.find('\0');
    args.emplace_back(bytes.substr(0, end));
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
  }
  return args;
}

bool accepts(const VerbSpec& verb, std::string_view option) {
  for (const OptionSpec& spec : verb.options) {
    if (spec.name == option)
      return true;
  }
  return false;
}

}  // namespace
}  // namespace mapperctl

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mapperctl;
  const std::vector<std::string> args =
      arguments_of(std::string_view(reinterpret_cast<const char*>(data), size));
  CommandLine command;
  try {
    command = parse_command_line(args, verb_syntax());
  } catch (const CommandError& error) {
    FUZZ_CHECK(error.status() == ExitStatus::Usage);
    return 0;
  }
  if (const VerbSpec* verb = find_verb(command.verb)) {
    for (const auto& [option, value] : command.options)
      FUZZ_CHECK(accepts(*verb, option));
  }
  return 0;
}
