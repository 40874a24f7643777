#pragma once

#include <exception>
#include <functional>
#include <utility>
#include <variant>

namespace mapperd {

// What an asynchronous operation ended with: its value, or the exception that stopped it
// (a mapperd::Error for every failure the engine foresees). g++ 12 has no std::expected.
template <class T>
class Outcome {
 public:
  static Outcome success(T value) { return Outcome(std::move(value)); }
  static Outcome failure(std::exception_ptr error) { return Outcome(std::move(error)); }
  // The exception currently being handled, as a failure: call from inside a catch block.
  static Outcome current_failure() { return failure(std::current_exception()); }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // Only when ok().
  const T& value() const { return std::get<T>(state_); }
  // Only when !ok().
  std::exception_ptr error() const { return std::get<std::exception_ptr>(state_); }
  // The value, or the failure thrown again.
  const T& value_or_throw() const {
    if (!ok())
      std::rethrow_exception(error());
    return value();
  }

 private:
  explicit Outcome(T value) : state_(std::move(value)) {}
  explicit Outcome(std::exception_ptr error) : state_(std::move(error)) {}

  std::variant<T, std::exception_ptr> state_;
};

// The value of an operation that returns nothing but success.
struct Done {
  friend bool operator==(Done, Done) = default;
};

// How the engine hands an Outcome back: always on the engine's (main) thread, exactly once,
// possibly before the call that started the operation returns (when a check fails up front).
template <class T>
using Completion = std::function<void(Outcome<T>)>;

}  // namespace mapperd
