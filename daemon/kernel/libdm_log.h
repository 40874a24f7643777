#pragma once
// libdevmapper's own messages, captured instead of printed: library code doesn't log, so what
// libdevmapper says about a failure becomes part of the error we throw.

#include <string>
#include <vector>

namespace mapperd {

// Installs a dm_log_with_errno handler for its lifetime and restores libdevmapper's default
// afterwards. libdevmapper has one process-wide handler, so only one LibdmLog may exist at a time
// (the constructor throws Error(Failed) otherwise). Keeps errors and warnings, never debug lines,
// and at most a few dozen of them between two clear()s.
class LibdmLog {
 public:
  LibdmLog();
  ~LibdmLog();
  LibdmLog(const LibdmLog&) = delete;
  LibdmLog& operator=(const LibdmLog&) = delete;

  // Forgets what was captured; call before each task.
  void clear();
  // What libdevmapper reported since the last clear(), oldest first, joined with "; ".
  std::string text() const;

 private:
  std::vector<std::string> messages_;
};

}  // namespace mapperd
