#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mapperd {

// The steps that put the kernel back as it was, pushed as a multi-step operation goes.
// unwind() runs them newest first and keeps going when one fails, so every step gets its chance;
// a step that fails is reported, never swallowed.
class UndoStack {
 public:
  // `what` says what the step does, for the error message when it fails.
  void push(std::string what, std::function<void()> undo);
  // Runs every step, newest first, and forgets them. Returns "what: why" for each that failed.
  std::vector<std::string> unwind() noexcept;

 private:
  struct Step {
    std::string what;
    std::function<void()> undo;
  };
  std::vector<Step> steps_;
};

// Runs `steps(undo)`. When it throws, unwinds `undo` and rethrows; when unwinding failed too,
// throws Error(Kernel) naming both the failure and every step that could not be undone (the
// kernel is then in a state nobody chose, and the caller must be told).
void run_undoable(const std::function<void(UndoStack&)>& steps);

}  // namespace mapperd
