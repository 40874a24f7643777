// Loop devices and stored definitions: loop attach, loop detach, loop ls, definitions.
#include <fcntl.h>
#include <unistd.h>

#include <ostream>

#include "exit_status.h"
#include "extent.h"
#include "loop_output.h"
#include "object_path.h"
#include "verb_support.h"
#include "verbs.h"

namespace mapperctl {
namespace {

// A descriptor closed when the verb ends, however it ends.
class OpenFile {
 public:
  explicit OpenFile(int fd) : fd_(fd) {}
  ~OpenFile() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

LoopOptions loop_options(const Invocation& invocation) {
  const CommandLine& command = invocation.command();
  LoopOptions options;
  if (const std::optional<std::string> offset = command.value("offset"))
    options.offset = parse_byte_count(*offset, "--offset");
  if (const std::optional<std::string> size = command.value("size"))
    options.size_limit = parse_byte_count(*size, "--size");
  options.read_only = command.has("read-only");
  options.persistent = !command.has("not-persistent");
  return options;
}

// The device (or its JSON object, which has the warnings too) on stdout, mapperd's warnings on
// stderr.
void print_loop(Invocation& invocation, const LoopInfo& loop) {
  for (const std::string& warning : loop.warnings)
    invocation.warn(warning);
  if (invocation.json()) {
    invocation.print_json(loop_json(loop));
  } else {
    invocation.out() << loop.device_path << '\n';
  }
}

}  // namespace

void run_loop_attach(Invocation& invocation) {
  const std::string& file = invocation.argument(0);
  invocation.set_subject("loop attach " + file);
  const LoopOptions options = loop_options(invocation);
  if (invocation.remote()) {
    // No descriptor crosses ssh: mapperd opens the path itself, which it does for root only.
    if (!file.starts_with('/'))
      throw usage_error("with -H, give FILE as an absolute path on the remote machine");
    print_loop(invocation, invocation.mapperd().attach_loop_file(file, options));
    return;
  }
  const OpenFile opened(open_backing_file(file, options.read_only));
  print_loop(invocation, invocation.mapperd().attach_loop(opened.get(), options));
}

void run_loop_detach(Invocation& invocation) {
  const bool keep_definition = invocation.command().has("keep-definition");
  // Every name is checked before anything is detached: a usage error sends nothing.
  std::vector<std::uint32_t> indices;
  for (const std::string& name : invocation.command().arguments) {
    const std::optional<std::uint32_t> index = parse_loop_device(name);
    if (!index)
      throw usage_error("'" + name + "' is not a loop device (give /dev/loopN, loopN or N)");
    indices.push_back(*index);
  }
  Json detached = Json::array();
  for (const std::uint32_t index : indices) {
    invocation.set_subject("loop detach /dev/loop" + std::to_string(index));
    invocation.mapperd().detach_loop(index, keep_definition);
    detached.push_back({{"device_path", "/dev/loop" + std::to_string(index)},
                        {"index", index},
                        {"object_path", loop_object_path(index)},
                        {"kept_definition", keep_definition}});
  }
  if (invocation.json())
    invocation.print_json(detached);
}

void run_loop_ls(Invocation& invocation) {
  const std::vector<LoopInfo> loops = invocation.mapperd().list_loops();
  if (!invocation.json()) {
    invocation.out() << format_loops(loops, invocation.command().value("output"),
                                     invocation.legend());
    return;
  }
  Json items = Json::array();
  for (const LoopInfo& loop : loops)
    items.push_back(loop_json(loop));
  invocation.print_json(items);
}

void run_definitions(Invocation& invocation) {
  const std::vector<DefinitionInfo> definitions = invocation.mapperd().list_definitions();
  if (!invocation.json()) {
    invocation.out() << format_definitions(definitions, invocation.command().value("output"),
                                           invocation.legend());
    return;
  }
  Json items = Json::array();
  for (const DefinitionInfo& definition : definitions)
    items.push_back(definition_json(definition));
  invocation.print_json(items);
}

}  // namespace mapperctl
