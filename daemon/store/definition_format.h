#pragma once
// Internal to the store: state files' text, as docs/state-format.md describes it. Only this
// file's .cpp knows the JSON library.
//
// Every file is one JSON object, pretty-printed with two-space indents and a final newline, that
// starts with "format" (kFormatVersion) and "kind" ("map", "loop", "map-facts", "operation").
// Reading ignores keys it does not know (a later mapperd of the same format may add some) and
// refuses a higher "format" outright.

#include <cstdint>
#include <string>
#include <string_view>

#include "model/error.h"
#include "store/map_definition.h"
#include "store/runtime_state.h"

namespace mapperd::store {

inline constexpr std::uint64_t kFormatVersion = 1;

// Why a state file's text cannot be used, as an Error(Store): which field and why. what() is
// "field 'devices[1].number': '7x1' is not MAJOR:MINOR (no ':' between major and minor)", or,
// for the file as a whole, just the why: "written by a newer mapperd (format 2; this one
// reads 1)".
class FormatError : public Error {
 public:
  FormatError(std::string field, std::string why);

  // "devices[1].number"; empty when the problem is not one field's.
  const std::string& field() const { return field_; }
  const std::string& why() const { return why_; }

 private:
  std::string field_;
  std::string why_;
};

// A map file holds a generation besides the definition: larger in each file written later, so
// that of two files for one UUID (a crash between a rename's two steps) the newer one wins.
struct StoredMap {
  MapDefinition definition;
  std::uint64_t generation = 0;
};

// Formatting checks what reading checks, so nothing is written that would be quarantined when
// read back: a name that cannot be a file name throws Error(InvalidName), any other problem
// (a UUID without "MAPPERD-", an empty table, a device number out of range, text that is not
// UTF-8, ...) Error(InvalidArgument). Parsing throws FormatError.
std::string format_map(const MapDefinition& definition, std::uint64_t generation);
StoredMap parse_map(std::string_view text);

std::string format_loop(const LoopDefinition& definition);
LoopDefinition parse_loop(std::string_view text);

std::string format_facts(const RuntimeMapFacts& facts);
RuntimeMapFacts parse_facts(std::string_view text);

std::string format_intent(const OperationIntent& intent);
OperationIntent parse_intent(std::string_view text);

}  // namespace mapperd::store
