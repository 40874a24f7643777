#include "undo_stack.h"

#include <exception>

#include "model/error.h"

namespace mapperd {

void UndoStack::push(std::string what, std::function<void()> undo) {
  steps_.push_back(Step{std::move(what), std::move(undo)});
}

std::vector<std::string> UndoStack::unwind() noexcept {
  std::vector<std::string> failures;
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    try {
      it->undo();
    } catch (...) {
      failures.push_back(it->what + ": " + describe(std::current_exception()));
    }
  }
  steps_.clear();
  return failures;
}

void run_undoable(const std::function<void(UndoStack&)>& steps) {
  UndoStack undo;
  try {
    steps(undo);
  } catch (...) {
    const std::exception_ptr original = std::current_exception();
    const std::vector<std::string> failures = undo.unwind();
    if (failures.empty())
      throw;
    std::string message = describe(original) + "; putting things back failed as well:";
    for (const std::string& failure : failures)
      message += " " + failure + ";";
    message.pop_back();
    int error_number = 0;
    try {
      throw;
    } catch (const Error& e) {
      error_number = e.error_number();
    } catch (...) {
    }
    throw Error(ErrorKind::Kernel, message, error_number);
  }
}

}  // namespace mapperd
