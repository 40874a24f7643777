// `check`: a table's problems, from mapperd (the running kernel's view) or, with --offline,
// from the table model alone.
#include <ostream>

#include "exit_status.h"
#include "local_block_devices.h"
#include "model/table_parser.h"
#include "verb_support.h"
#include "verbs.h"

namespace mapperctl {
namespace {

std::vector<TableProblemReport> check_offline(const std::string& table) {
  const LocalBlockDevices devices;
  mapperd::TableContext context;
  context.devices = &devices;
  std::vector<TableProblemReport> problems;
  for (const mapperd::TableProblem& problem : mapperd::check_table(table, context)) {
    problems.push_back({problem.line, problem.field, problem.reason});
  }
  return problems;
}

// "line 2: start: ..." as the daemon's error messages say it; line 0 is the whole table.
std::string describe(const TableProblemReport& problem) {
  const std::string where =
      problem.line == 0 ? std::string("table") : "line " + std::to_string(problem.line);
  return where + ": " + problem.field + ": " + problem.reason;
}

}  // namespace

void run_check(Invocation& invocation) {
  const bool offline = invocation.command().has("offline");
  if (offline && invocation.remote()) {
    throw usage_error("--offline checks on this machine; it cannot be combined with --host");
  }
  const std::string table = read_table(invocation, 0);
  const std::vector<TableProblemReport> problems =
      offline ? check_offline(table) : invocation.mapperd().validate_table(table);
  if (invocation.json()) {
    Json items = Json::array();
    for (const TableProblemReport& problem : problems)
      items.push_back(
          {{"line", problem.line}, {"field", problem.field}, {"reason", problem.reason}});
    invocation.print_json({{"valid", problems.empty()}, {"problems", items}});
  } else {
    for (const TableProblemReport& problem : problems)
      invocation.out() << describe(problem) << '\n';
  }
  // The problems are the output; the status says "invalid" without repeating them on stderr.
  if (!problems.empty())
    throw CommandError(ExitStatus::Invalid, "");
}

}  // namespace mapperctl
