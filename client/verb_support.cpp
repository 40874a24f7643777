#include "verb_support.h"

#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "exit_status.h"
#include "map_output.h"
#include "model/error.h"
#include "model/names.h"

namespace mapperctl {

std::string read_table(Invocation& invocation, std::optional<std::size_t> file_argument) {
  const bool has_file = file_argument && *file_argument < invocation.argument_count();
  const std::string file = has_file ? invocation.argument(*file_argument) : "-";
  if (const std::optional<std::string> text = invocation.command().value("table")) {
    if (has_file)
      throw usage_error("give the table as a file or with --table, not both");
    return *text;
  }
  std::ostringstream text;
  if (file == "-") {
    if (invocation.stdin_is_terminal()) {
      std::cerr << "Reading the table from standard input; end it with Ctrl-D.\n";
    }
    text << invocation.in().rdbuf();
    return text.str();
  }
  std::ifstream input(file, std::ios::binary);
  if (!input) {
    throw CommandError(ExitStatus::Failed, "cannot read " + file + ": " + std::strerror(errno));
  }
  text << input.rdbuf();
  return text.str();
}

void check_map_name(const std::string& name) {
  try {
    mapperd::validate_map_name(name);
  } catch (const mapperd::Error& error) {
    throw CommandError(ExitStatus::Invalid, error.what(), "InvalidName");
  }
}

CreateOptions create_options(const Invocation& invocation) {
  CreateOptions options;
  options.uuid = invocation.command().value("uuid");
  options.read_only = invocation.command().has("readonly");
  options.persistent = !invocation.command().has("not-persistent");
  options.wait_for_devices = invocation.command().has("wait-for-devices");
  if (options.wait_for_devices && !options.persistent) {
    // A map that waits is stored until its devices come; one that is not stored cannot wait.
    throw usage_error("--wait-for-devices needs a persistent map (drop --not-persistent)");
  }
  return options;
}

int open_backing_file(const std::string& file, bool read_only) {
  const int fd = ::open(file.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    throw open_failure(file, read_only, errno);
  return fd;
}

CommandError open_failure(const std::string& file, bool read_only, int error) {
  ExitStatus status = ExitStatus::Failed;
  if (error == ENOENT || error == ENOTDIR)
    status = ExitStatus::NotFound;
  else if (error == EACCES || error == EPERM || error == EROFS || error == ETXTBSY)
    status = ExitStatus::AccessDenied;
  std::string message = "cannot open " + file +
                        (read_only ? " for reading" : " for reading and writing") + ": " +
                        std::strerror(error);
  if (!read_only && status == ExitStatus::AccessDenied)
    message += " (with --read-only it is opened for reading only)";
  return CommandError(status, message);
}

Json made_map_json(Invocation& invocation, const std::string& name) {
  return map_json(invocation.mapperd().get_map(name));
}

std::uint64_t parse_sector(const std::string& text, const std::string& what) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) {
    throw usage_error(what + " '" + text + "' is not a sector number");
  }
  return value;
}

}  // namespace mapperctl
