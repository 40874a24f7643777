// The state files' text (docs/state-format.md): every kind of file (map, loop, map facts,
// operation intent) written and read with its checks and its field-by-field errors. One
// responsibility, the one place that knows the JSON library, hence its 500 lines.
#include "store/definition_format.h"

#include <cstddef>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "model/names.h"
#include "model/table_limits.h"
#include "store/file_names.h"
#include "store/store_error.h"

namespace mapperd::store {
namespace {

// Keys keep the order they are written in, so a file reads top-down as docs/state-format.md shows.
using Json = nlohmann::ordered_json;

constexpr std::string_view kMapKind = "map";
constexpr std::string_view kLoopKind = "loop";
constexpr std::string_view kFactsKind = "map-facts";
constexpr std::string_view kIntentKind = "operation";

constexpr std::uint64_t kMaxUid = std::numeric_limits<std::uint32_t>::max();

// ---------------------------------------------------------------------------------------------
// Reading

// Whether TEXT is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
// Text parsed from a file was checked by the parser already; text about to be written was not.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    std::uint32_t minimum = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2, code = lead & 0x1f, minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3, code = lead & 0x0f, minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4, code = lead & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size())
      return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80)
        return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

// A value as a message shows it: a string quoted, a number as written, else its JSON type.
std::string describe(const Json& value) {
  if (value.is_string())
    return "string " + shown(value.get_ref<const std::string&>());
  if (value.is_number())
    return "number " + value.dump();
  if (value.is_boolean())
    return value.get<bool>() ? "true" : "false";
  if (value.is_null())
    return "null";
  return std::string(value.type_name());
}

// One JSON object of a state file, read field by field; each problem names the field by its
// place in the file ("devices[1].loop.inode").
class Fields {
 public:
  Fields(const Json& object, std::string place) : object_(object), place_(std::move(place)) {}

  std::string name_of(std::string_view key) const {
    return place_.empty() ? std::string(key) : place_ + "." + std::string(key);
  }

  bool has(std::string_view key) const { return object_.contains(key); }

  const Json& required(std::string_view key) const {
    const auto found = object_.find(key);
    if (found == object_.end())
      throw FormatError(name_of(key), "missing");
    return *found;
  }

  // A string without NUL bytes, in UTF-8.
  std::string string(std::string_view key) const { return text_of(required(key), name_of(key)); }

  // "" when the key is absent.
  std::string optional_string(std::string_view key) const {
    return has(key) ? string(key) : std::string();
  }

  std::string non_empty_string(std::string_view key) const {
    std::string text = string(key);
    if (text.empty())
      throw FormatError(name_of(key), "empty");
    return text;
  }

  std::uint64_t number(std::string_view key,
                       std::uint64_t maximum = std::numeric_limits<std::uint64_t>::max()) const {
    const Json& value = required(key);
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > maximum) {
      throw FormatError(name_of(key), "expected a whole number from 0 to " +
                                          std::to_string(maximum) + ", found " + describe(value));
    }
    return value.get<std::uint64_t>();
  }

  bool boolean(std::string_view key) const {
    const Json& value = required(key);
    if (!value.is_boolean())
      throw FormatError(name_of(key), "expected true or false, found " + describe(value));
    return value.get<bool>();
  }

  // "MAJOR:MINOR" text.
  DeviceNumber device_number(std::string_view key) const {
    const std::string text = string(key);
    const std::optional<DeviceNumber> number = DeviceNumber::parse(text);
    if (!number) {
      throw FormatError(name_of(key), shown(text) +
                                          " is not a device number MAJOR:MINOR (major below "
                                          "4096, minor below 1048576)");
    }
    return *number;
  }

  Fields object(std::string_view key) const { return object_at(required(key), name_of(key)); }

  // Calls READ with each element of the array at KEY and the element's place ("devices[2]").
  void for_each(std::string_view key,
                const std::function<void(const Json&, const std::string&)>& read) const {
    const Json& value = required(key);
    if (!value.is_array())
      throw FormatError(name_of(key), "expected a list, found " + describe(value));
    for (std::size_t i = 0; i < value.size(); ++i)
      read(value[i], name_of(key) + "[" + std::to_string(i) + "]");
  }

  static Fields object_at(const Json& value, const std::string& place) {
    if (!value.is_object())
      throw FormatError(place, "expected an object, found " + describe(value));
    return Fields(value, place);
  }

  static std::string text_of(const Json& value, const std::string& place) {
    if (!value.is_string())
      throw FormatError(place, "expected a string, found " + describe(value));
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos)
      throw FormatError(place, "has a NUL byte");
    if (!is_utf8(text))
      throw FormatError(place, "not valid UTF-8");
    return text;
  }

 private:
  const Json& object_;
  std::string place_;
};

// Runs CHECK, which throws Error, and reports what it throws as the problem of FIELD.
template <typename Check>
void check_field(const std::string& field, Check check) {
  try {
    check();
  } catch (const FormatError&) {
    throw;
  } catch (const Error& e) {
    throw FormatError(field, e.what());
  }
}

void check_owned_uuid(const std::string& uuid, const std::string& field) {
  check_field(field, [&] {
    validate_uuid(uuid);
    if (!uuid.starts_with(kOwnedUuidPrefix))
      throw Error(ErrorKind::InvalidArgument,
                  shown(uuid) + " does not start with " + std::string(kOwnedUuidPrefix));
  });
}

std::string read_map_name(const Fields& fields, std::string_view key) {
  std::string name = fields.string(key);
  check_field(fields.name_of(key), [&] { check_map_name(name); });
  return name;
}

LoopBacking read_backing(const Fields& loop) {
  LoopBacking backing;
  backing.file = loop.non_empty_string("file");
  check_field(loop.name_of("file"), [&] { escape_path(backing.file); });
  backing.file_device = loop.device_number("file-device");
  backing.inode = loop.number("inode");
  backing.offset = loop.number("offset");
  backing.size_limit = loop.number("size-limit");
  backing.read_only = loop.boolean("read-only");
  return backing;
}

DeviceUse read_device(const Fields& device) {
  DeviceUse use;
  use.reference = device.non_empty_string("reference");
  DeviceIdentity& identity = use.identity;
  identity.number = device.device_number("number");
  identity.path = device.string("path");
  identity.wwn = device.optional_string("wwn");
  identity.serial = device.optional_string("serial");
  identity.partition_uuid = device.optional_string("partition-uuid");
  identity.by_id = device.optional_string("by-id");
  if (device.has("loop"))
    identity.loop = read_backing(device.object("loop"));
  identity.map_uuid = device.optional_string("map-uuid");
  return use;
}

// A snapshot's policy: each key optional (absent means the default), as files written before
// policies existed have none.
SnapshotPolicy read_policy(const Fields& fields) {
  SnapshotPolicy policy;
  if (fields.has("fill-thresholds")) {
    fields.for_each("fill-thresholds", [&](const Json& value, const std::string& place) {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 100)
        throw FormatError(place, "expected a percentage from 1 to 100, found " + describe(value));
      policy.fill_thresholds.push_back(value.get<unsigned>());
    });
  }
  if (fields.has("auto-extend"))
    policy.auto_extend = fields.boolean("auto-extend");
  if (fields.has("extend-percent"))
    policy.extend_percent = static_cast<unsigned>(fields.number("extend-percent", 100));
  if (const auto problem = policy_problem(policy)) {
    // The problem starts with the key it is about.
    const std::string key = problem->substr(0, problem->find(':'));
    throw FormatError(fields.name_of(key), problem->substr(key.size() + 2));
  }
  return policy;
}

// Only what differs from the default is written.
void put_policy(Json& object, const SnapshotPolicy& policy) {
  if (!policy.fill_thresholds.empty())
    object["fill-thresholds"] = policy.fill_thresholds;
  if (policy.auto_extend)
    object["auto-extend"] = true;
  if (policy.extend_percent != kDefaultExtendPercent)
    object["extend-percent"] = policy.extend_percent;
}

// The fields of a map, in a map file and in an operation's "to-save".
MapDefinition read_map(const Fields& map) {
  MapDefinition definition;
  definition.name = read_map_name(map, "name");
  definition.uuid = map.string("uuid");
  check_owned_uuid(definition.uuid, map.name_of("uuid"));
  definition.read_only = map.boolean("read-only");
  definition.created_by_uid = static_cast<std::uint32_t>(map.number("created-by-uid", kMaxUid));
  definition.table = map.non_empty_string("table");
  // Newer than the first format: files written before merges existed have no such key.
  if (map.has("merge-pending"))
    definition.merge_pending = map.boolean("merge-pending");
  definition.snapshot_policy = read_policy(map);
  if (definition.table.size() > kMaxTableBytes) {
    throw FormatError(map.name_of("table"), std::to_string(definition.table.size()) +
                                                " bytes long; a table is at most " +
                                                std::to_string(kMaxTableBytes));
  }
  map.for_each("devices", [&](const Json& value, const std::string& place) {
    definition.devices.push_back(read_device(Fields::object_at(value, place)));
  });
  return definition;
}

Json parse_json(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw FormatError("", "the file is empty");
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    // Not only parse_error: a number beyond a double's range ("1e400") is out_of_range.
    // "[json.exception.parse_error.101] parse error at line 3, column 1: syntax error ...":
    // the bracketed id means nothing to an administrator.
    std::string why = e.what();
    if (why.starts_with('[') && why.find("] ") != std::string::npos)
      why.erase(0, why.find("] ") + 2);
    throw FormatError("", "not valid JSON: " + why);
  }
}

// The top of a state file: an object with a format this mapperd reads and the KIND expected.
Fields open_file(const Json& document, std::string_view kind) {
  if (!document.is_object())
    throw FormatError("", "not a JSON object but " + describe(document));
  Fields file(document, "");
  if (!file.has("format"))
    throw FormatError("format", "missing (this is no mapperd state file)");
  const std::uint64_t format = file.number("format");
  if (format > kFormatVersion) {
    throw FormatError("", "written by a newer mapperd (format " + std::to_string(format) +
                              "; this one reads " + std::to_string(kFormatVersion) + ")");
  }
  if (format == 0) {
    throw FormatError("format", "0 is no format version (this mapperd reads " +
                                    std::to_string(kFormatVersion) + ")");
  }
  const std::string found = file.string("kind");
  if (found != kind) {
    throw FormatError("kind",
                      shown(found) + " where " + shown(kind) + " was expected in this directory");
  }
  return file;
}

// ---------------------------------------------------------------------------------------------
// Writing

Json file_header(std::string_view kind) {
  Json file = Json::object();
  file["format"] = kFormatVersion;
  file["kind"] = kind;
  return file;
}

void put_if_set(Json& object, std::string_view key, const std::string& value) {
  if (!value.empty())
    object[std::string(key)] = value;
}

Json backing_json(const LoopBacking& backing) {
  Json loop = Json::object();
  loop["file"] = backing.file;
  loop["file-device"] = backing.file_device.to_string();
  loop["inode"] = backing.inode;
  loop["offset"] = backing.offset;
  loop["size-limit"] = backing.size_limit;
  loop["read-only"] = backing.read_only;
  return loop;
}

Json device_json(const DeviceUse& use) {
  const DeviceIdentity& identity = use.identity;
  Json device = Json::object();
  device["reference"] = use.reference;
  device["number"] = identity.number.to_string();
  device["path"] = identity.path;
  put_if_set(device, "wwn", identity.wwn);
  put_if_set(device, "serial", identity.serial);
  put_if_set(device, "partition-uuid", identity.partition_uuid);
  put_if_set(device, "by-id", identity.by_id);
  if (identity.loop)
    device["loop"] = backing_json(*identity.loop);
  put_if_set(device, "map-uuid", identity.map_uuid);
  return device;
}

void put_map(Json& object, const MapDefinition& definition) {
  object["name"] = definition.name;
  object["uuid"] = definition.uuid;
  object["read-only"] = definition.read_only;
  object["created-by-uid"] = definition.created_by_uid;
  object["table"] = definition.table;
  // Only when set, so files without a pending merge read as they did before.
  if (definition.merge_pending)
    object["merge-pending"] = true;
  put_policy(object, definition.snapshot_policy);
  Json devices = Json::array();
  for (const DeviceUse& use : definition.devices)
    devices.push_back(device_json(use));
  object["devices"] = std::move(devices);
}

// The file's text, once READ_BACK (the parser's own checks) accepts it: what cannot be read back
// is not written. WHAT names the definition in the error; a problem with NAME_FIELD, the field
// that is also the file's name, is an InvalidName, any other an InvalidArgument.
template <typename ReadBack>
std::string finish(const Json& file, const std::string& what, std::string_view name_field,
                   ReadBack read_back) {
  try {
    read_back(file);
  } catch (const FormatError& e) {
    const bool name = !name_field.empty() && e.field() == name_field;
    throw Error(name ? ErrorKind::InvalidName : ErrorKind::InvalidArgument,
                "cannot store " + what + ": " + e.what());
  }
  return file.dump(2) + "\n";
}

}  // namespace

FormatError::FormatError(std::string field, std::string why)
    : Error(ErrorKind::Store, field.empty() ? why : "field '" + field + "': " + why),
      field_(std::move(field)),
      why_(std::move(why)) {}

std::string format_map(const MapDefinition& definition, std::uint64_t generation) {
  Json file = file_header(kMapKind);
  file["generation"] = generation;
  put_map(file, definition);
  return finish(file, "map " + shown(definition.name), "name",
                [](const Json& json) { read_map(open_file(json, kMapKind)); });
}

StoredMap parse_map(std::string_view text) {
  const Json document = parse_json(text);
  const Fields file = open_file(document, kMapKind);
  StoredMap stored;
  stored.generation = file.number("generation");
  stored.definition = read_map(file);
  return stored;
}

std::string format_loop(const LoopDefinition& definition) {
  Json file = file_header(kLoopKind);
  file.update(backing_json(definition.backing));
  return finish(file, "loop on " + shown(definition.backing.file), "",
                [](const Json& json) { read_backing(open_file(json, kLoopKind)); });
}

LoopDefinition parse_loop(std::string_view text) {
  const Json document = parse_json(text);
  return LoopDefinition{read_backing(open_file(document, kLoopKind))};
}

namespace {

RuntimeMapFacts read_facts(const Fields& file) {
  RuntimeMapFacts facts;
  facts.uuid = file.string("uuid");
  check_owned_uuid(facts.uuid, "uuid");
  facts.persistent = file.boolean("persistent");
  facts.created_by_uid = static_cast<std::uint32_t>(file.number("created-by-uid", kMaxUid));
  // Optional: files written before it existed mean "not deactivated".
  facts.deactivated = file.has("deactivated") && file.boolean("deactivated");
  facts.snapshot_policy = read_policy(file);
  return facts;
}

OperationIntent read_intent(const Fields& file) {
  OperationIntent intent;
  intent.id = file.string("id");
  check_field("id", [&] { intent_file_name(intent.id); });
  intent.kind = file.non_empty_string("operation");
  file.for_each("maps", [&](const Json& value, const std::string& place) {
    intent.maps.push_back(Fields::text_of(value, place));
    check_field(place, [&] { check_map_name(intent.maps.back()); });
  });
  file.for_each("to-save", [&](const Json& value, const std::string& place) {
    intent.to_save.push_back(read_map(Fields::object_at(value, place)));
  });
  file.for_each("to-remove", [&](const Json& value, const std::string& place) {
    intent.to_remove.push_back(Fields::text_of(value, place));
    check_field(place, [&] { check_map_name(intent.to_remove.back()); });
  });
  return intent;
}

}  // namespace

std::string format_facts(const RuntimeMapFacts& facts) {
  Json file = file_header(kFactsKind);
  file["uuid"] = facts.uuid;
  file["persistent"] = facts.persistent;
  file["created-by-uid"] = facts.created_by_uid;
  if (facts.deactivated)
    file["deactivated"] = true;
  put_policy(file, facts.snapshot_policy);
  return finish(file, "runtime facts of " + shown(facts.uuid), "uuid",
                [](const Json& json) { read_facts(open_file(json, kFactsKind)); });
}

RuntimeMapFacts parse_facts(std::string_view text) {
  const Json document = parse_json(text);
  return read_facts(open_file(document, kFactsKind));
}

std::string format_intent(const OperationIntent& intent) {
  Json file = file_header(kIntentKind);
  file["id"] = intent.id;
  file["operation"] = intent.kind;
  file["maps"] = intent.maps;
  Json to_save = Json::array();
  for (const MapDefinition& definition : intent.to_save) {
    Json map = Json::object();
    put_map(map, definition);
    to_save.push_back(std::move(map));
  }
  file["to-save"] = std::move(to_save);
  file["to-remove"] = intent.to_remove;
  return finish(file, "operation " + shown(intent.id), "id",
                [](const Json& json) { read_intent(open_file(json, kIntentKind)); });
}

OperationIntent parse_intent(std::string_view text) {
  const Json document = parse_json(text);
  return read_intent(open_file(document, kIntentKind));
}

}  // namespace mapperd::store
