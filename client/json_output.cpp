#include "json_output.h"

namespace mapperctl {

std::string json_text(const Json& value, JsonMode mode) {
  const int indent = mode == JsonMode::Pretty ? 2 : -1;
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mapperctl
