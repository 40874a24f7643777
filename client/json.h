#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mapperctl {

// A JSON value, built by the output code and printed by to_json(). Objects keep their keys in
// insertion order so the output is stable and reads in the order the documentation lists.
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(int value) : value_(std::int64_t{value}) {}
  Json(std::int64_t value) : value_(value) {}
  Json(std::uint32_t value) : value_(std::uint64_t{value}) {}
  Json(std::uint64_t value) : value_(value) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string_view value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(Array value) : value_(std::move(value)) {}
  Json(Object value) : value_(std::move(value)) {}

  static Json array(std::vector<std::string> strings);
  static Json object(std::initializer_list<std::pair<std::string, Json>> members) {
    return Json(Object(members));
  }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  // Only for is_string().
  const std::string& string() const { return std::get<std::string>(value_); }
  // The elements of an array; nullptr for anything else.
  const Array* as_array() const { return std::get_if<Array>(&value_); }
  // An object's member called `key`; nullptr when there is none or this is no object.
  const Json* find(std::string_view key) const;

  // Adds a member to an object (a null value first becomes an empty object).
  Json& set(std::string key, Json value);
  // Appends to an array (a null value first becomes an empty array).
  Json& push_back(Json value);

  // Compact JSON text on one line: no spaces, no newline. Strings are escaped so the output is
  // always valid JSON: bytes that are not valid UTF-8 become U+FFFD.
  std::string dump() const;
  // For text output: a string as it is, anything else as dump() writes it.
  std::string to_text() const;

  friend bool operator==(const Json&, const Json&) = default;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, std::string, Array, Object>
      value_ = nullptr;
};

// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

}  // namespace mapperctl
