#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "command_line.h"
#include "json_output.h"
#include "mapper_service.h"

namespace mapperctl {

// Everything a verb works with: its command line, its streams, and mapperd (connected on first
// use, so verbs that need no daemon, such as `concat --dry-run`, never touch the bus).
class Invocation {
 public:
  Invocation(const CommandLine& command, std::istream& in, std::ostream& out, std::ostream& err,
             MapperServiceFactory connect, ConnectionOptions connection, bool stdin_is_terminal)
      : command_(command),
        in_(in),
        out_(out),
        err_(err),
        connect_(std::move(connect)),
        connection_(std::move(connection)),
        stdin_is_terminal_(stdin_is_terminal) {}

  const CommandLine& command() const { return command_; }
  const std::string& argument(std::size_t index) const { return command_.arguments.at(index); }
  std::size_t argument_count() const { return command_.arguments.size(); }
  bool json() const { return command_.global.json != JsonMode::Off; }
  // Column headers and "nothing found" sentences, unless --no-legend.
  bool legend() const { return !command_.global.no_legend; }
  bool remote() const { return connection_.host.has_value(); }
  bool stdin_is_terminal() const { return stdin_is_terminal_; }

  std::istream& in() { return in_; }
  std::ostream& out() { return out_; }
  // "mapperctl: SUBJECT: warning: `text`" on stderr, --json or not: the verb goes on.
  void warn(std::string_view text);
  // `value` on stdout as --json asked (short or pretty), one document, then a newline.
  void print_json(const Json& value);

  MapperService& mapperd();

  // What error messages name before the reason: "create twoasone". Starts as the verb.
  void set_subject(std::string subject) { subject_ = std::move(subject); }
  const std::string& subject() const { return subject_; }

 private:
  const CommandLine& command_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  MapperServiceFactory connect_;
  ConnectionOptions connection_;
  bool stdin_is_terminal_;
  std::unique_ptr<MapperService> service_;
  std::string subject_;
};

}  // namespace mapperctl
