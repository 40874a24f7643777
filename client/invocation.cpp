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

}  // namespace mapperctl
