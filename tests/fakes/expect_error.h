#pragma once
// For tests of the kernel seam, on the fake and in the guest alike.

#include <gtest/gtest.h>

#include <string>

#include "model/error.h"

namespace mapperd {

// Runs `action`, which must throw mapperd::Error of `kind`; returns the message.
template <class Action>
std::string error_of(ErrorKind kind, Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    EXPECT_EQ(error_kind_name(error.kind()), error_kind_name(kind)) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "expected an Error of kind " << error_kind_name(kind) << "; nothing was thrown";
  return {};
}

}  // namespace mapperd
