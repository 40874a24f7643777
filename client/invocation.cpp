#include "invocation.h"

namespace mapperctl {

MapperService& Invocation::mapperd() {
  if (!service_)
    service_ = connect_(connection_);
  return *service_;
}

}  // namespace mapperctl
