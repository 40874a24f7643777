#include "table_parser.h"

#include <algorithm>
#include <optional>
#include <span>

#include "device_checks.h"
#include "error.h"
#include "line_problems.h"
#include "table_limits.h"
#include "table_tokens.h"
#include "target_parsers.h"

namespace mapperd {
namespace {

// The words before a segment's arguments: start, length, target.
constexpr std::size_t kWordsBeforeArguments = 3;

struct ParsedTable {
  Table table;
  std::vector<TableProblem> problems;
};

// The limits come before anything else, so an oversized table costs no more than counting.
bool within_table_limits(const std::vector<TableLine>& lines, std::vector<TableProblem>& problems) {
  if (lines.size() > kMaxSegments) {
    problems.push_back(
        {0, "segments",
         std::to_string(lines.size()) + " segments; the limit is " + std::to_string(kMaxSegments)});
  }
  if (lines.empty()) {
    problems.push_back({0, "segments", "the table has no segments"});
  }
  return problems.empty();
}

bool within_line_limits(const TableLine& line, LineProblems& problems) {
  const std::size_t arguments =
      line.words.size() - std::min(line.words.size(), kWordsBeforeArguments);
  if (arguments > kMaxArgumentsPerLine) {
    problems.add("arguments", std::to_string(arguments) + " arguments; the limit is " +
                                  std::to_string(kMaxArgumentsPerLine) + " per line");
    return false;
  }
  return true;
}

std::optional<Sectors> read_number(const TableLine& line, std::size_t index, const char* field,
                                   LineProblems& problems) {
  if (index >= line.words.size()) {
    problems.add(field, "missing (a line is 'start length target arguments...')");
    return std::nullopt;
  }
  std::string why;
  const std::optional<std::uint64_t> value = parse_decimal(line.words[index], why);
  if (!value) {
    problems.add(field, why);
    return std::nullopt;
  }
  return Sectors(*value);
}

// Segments must tile the device: the first starts at 0 and each starts where the last ended.
void check_start(Sectors start, Sectors expected, bool first, LineProblems& problems) {
  if (start == expected)
    return;
  if (first) {
    problems.add("start",
                 "the first segment starts at " + to_string(start) + " but must start at 0");
    return;
  }
  problems.add("start", "segment starts at " + to_string(start) + " but the previous one ends at " +
                            to_string(expected) + (start > expected ? " (gap)" : " (overlap)"));
}

// Where the segment ends, or nothing when its length is unusable (after saying why).
std::optional<Sectors> check_length(Sectors start, Sectors length, LineProblems& problems) {
  if (length.count() == 0) {
    problems.add("length", "length is 0; a segment must map at least 1 sector");
    return std::nullopt;
  }
  std::optional<Sectors> end = checked_add(start, length);
  if (!end) {
    problems.add("length", "start " + to_string(start) + " + length " + to_string(length) +
                               " does not fit in 64 bits");
  }
  return end;
}

// Reads the lines one by one and goes on after a bad one, so that every problem is reported.
class SegmentReader {
 public:
  SegmentReader(const TableContext& context, ParsedTable& result)
      : context_(context), result_(result) {}

  void read(const TableLine& line) {
    LineProblems problems(line.number, result_.problems);
    if (!within_line_limits(line, problems)) {
      previous_end_known_ = false;
      return;
    }
    const std::optional<Sectors> start = read_number(line, 0, "start", problems);
    const std::optional<Sectors> length = read_number(line, 1, "length", problems);
    if (start && previous_end_known_)
      check_start(*start, previous_end_, first_, problems);
    first_ = false;

    std::optional<Sectors> end;
    if (start && length)
      end = check_length(*start, *length, problems);
    // After a line whose extent is unknown, the next one cannot be checked for gaps.
    previous_end_known_ = end.has_value();
    previous_end_ = end.value_or(Sectors());

    if (line.words.size() < kWordsBeforeArguments) {
      if (line.words.size() == 2)
        problems.add("target", "missing");
      return;
    }
    const std::span<const std::string_view> args =
        std::span(line.words).subspan(kWordsBeforeArguments);
    std::optional<Target> target = parse_target(line.words[2], args, end ? length : std::nullopt,
                                                context_.passthrough_targets, problems);
    // The device checks need a well-formed target and where the segment ends.
    if (!target || !end)
      return;

    Segment segment{*start, *length, std::move(*target)};
    if (context_.devices != nullptr)
      check_segment_devices(segment, *context_.devices, problems);
    result_.table.segments.push_back(std::move(segment));
  }

 private:
  const TableContext& context_;
  ParsedTable& result_;
  bool first_ = true;
  // Where the next segment must start. Not a std::optional: g++ 12 at -O2 warns that its
  // payload may be used uninitialised (a false positive) and CI builds with -Werror.
  bool previous_end_known_ = true;
  Sectors previous_end_;
};

ParsedTable parse(std::string_view text, const TableContext& context) {
  ParsedTable result;
  if (text.size() > kMaxTableBytes) {
    result.problems.push_back(
        {0, "size",
         std::to_string(text.size()) + " bytes; the limit is " + std::to_string(kMaxTableBytes)});
    return result;
  }
  const std::vector<TableLine> lines = segment_lines(text);
  if (!within_table_limits(lines, result.problems))
    return result;
  SegmentReader reader(context, result);
  for (const TableLine& line : lines)
    reader.read(line);
  return result;
}

}  // namespace

std::string TableProblem::to_string() const {
  const std::string where = line == 0 ? "table" : "line " + std::to_string(line);
  return where + ": " + field + ": " + reason;
}

std::vector<TableProblem> check_table(std::string_view text, const TableContext& context) {
  return parse(text, context).problems;
}

Table parse_table(std::string_view text, const TableContext& context) {
  ParsedTable result = parse(text, context);
  if (!result.problems.empty()) {
    std::string message;
    for (const TableProblem& problem : result.problems) {
      message += (message.empty() ? "" : "\n") + problem.to_string();
    }
    const bool only_missing_devices =
        std::all_of(result.problems.begin(), result.problems.end(),
                    [](const TableProblem& problem) { return problem.missing_device; });
    throw Error(only_missing_devices ? ErrorKind::DeviceMissing : ErrorKind::InvalidTable, message);
  }
  return std::move(result.table);
}

}  // namespace mapperd
