#include "invocation.h"

#include <ostream>

namespace mapperctl {

MapperService& Invocation::mapperd() {
  if (!service_)
    service_ = connect_(connection_);
  return *service_;
}

void Invocation::print_json(const Json& value) {
  out_ << json_text(value, command_.global.json) << '\n';
}

void Invocation::warn(std::string_view text) {
  err_ << "mapperctl: " << (subject_.empty() ? "" : subject_ + ": ") << "warning: " << text
       << '\n';
}

}  // namespace mapperctl
