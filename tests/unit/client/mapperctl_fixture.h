#pragma once
// Whole mapperctl command lines against an in-memory mapperd (fake_mapper_service.h): the test
// fixture the command-line tests share.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app.h"
#include "fake_mapper_service.h"

namespace mapperctl::testing {

// What one command line did: its exit status and what it printed.
struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

class Mapperctl : public ::testing::Test {
 protected:
  Result run(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    Result result;
    result.status = run_mapperctl(args, Console{in, out, err, on_terminal_, on_terminal_, uid_},
                                  [this](const ConnectionOptions& options) {
                                    mapperd_.last_connection = options;
                                    return std::make_unique<FakeMapperService>(mapperd_);
                                  });
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  FakeMapperd mapperd_;
  // The console the next run() has: stdin and stderr terminals or not, and who runs it.
  bool on_terminal_ = false;
  uid_t uid_ = 1000;
};

}  // namespace mapperctl::testing
