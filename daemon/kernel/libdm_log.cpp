#include "kernel/libdm_log.h"

#include <libdevmapper.h>

#include <array>
#include <cstdarg>
#include <cstdio>

#include "model/error.h"

namespace mapperd {
namespace {

// libdevmapper's levels (libdm-logging.h): the low bits are the level, the high bits flags.
constexpr int kLevelMask = 0x0f;
constexpr int kLevelWarning = 4;
constexpr std::size_t kMaxMessages = 32;

// libdevmapper calls the handler with no user pointer, so the capture target is global. It is
// only touched by the thread that owns the backend.
std::vector<std::string>* g_messages = nullptr;

__attribute__((format(printf, 5, 6))) void capture(int level, const char* /*file*/, int /*line*/,
                                                   int /*dm_errno_or_class*/, const char* format,
                                                   ...) {
  if (g_messages == nullptr || (level & kLevelMask) > kLevelWarning)
    return;
  if (g_messages->size() >= kMaxMessages)
    return;  // the first messages explain the failure
  std::va_list args;
  va_start(args, format);
  std::array<char, 1024> buffer{};
  const int n = std::vsnprintf(buffer.data(), buffer.size(), format, args);
  va_end(args);
  if (n > 0)
    g_messages->emplace_back(buffer.data());
}

}  // namespace

LibdmLog::LibdmLog() {
  if (g_messages != nullptr) {
    throw Error(ErrorKind::Failed, "libdevmapper's log is already captured by another backend");
  }
  g_messages = &messages_;
  dm_log_with_errno_init(capture);
}

LibdmLog::~LibdmLog() {
  dm_log_with_errno_init(nullptr);
  g_messages = nullptr;
}

void LibdmLog::clear() {
  messages_.clear();
}

std::string LibdmLog::text() const {
  std::string text;
  for (const std::string& message : messages_)
    text += (text.empty() ? "" : "; ") + message;
  return text;
}

}  // namespace mapperd
