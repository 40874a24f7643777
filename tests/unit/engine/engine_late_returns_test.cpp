// A kernel call that outlives its deadline: the caller is told TimedOut, the job goes on in the
// kernel and writes the store as it goes, and when it returns the engine takes in what it did as
// it would have on time. Otherwise a late create would run unstored in the engine's eyes while
// its definition is on disk, and a late remove would be made again by the next restore pass.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>

#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::Not;

class AKernelCallThatOutlivesItsDeadline : public PersistenceFixture {
 protected:
  AKernelCallThatOutlivesItsDeadline() : PersistenceFixture(std::chrono::milliseconds(300)) {
    kernel_.on_late_return(
        [this](const std::string&, std::chrono::milliseconds, std::exception_ptr) { ++late_; });
  }

  void SetUp() override { start(); }
  // The held job runs on once released and uses the engine: it must have returned before the
  // fixture destroys the engine.
  void TearDown() override {
    release();
    if (held_call_) {
      EXPECT_TRUE(loop_.run_until([&] { return late_ > 0; }, std::chrono::seconds(10)));
    }
  }

  // From now on, the kernel call `call` ("create late") waits in the kernel until release().
  void hold(const std::string& call) {
    held_call_ = true;
    on_kernel([call, held = held_](FakeKernelBackend& fake) {
      fake.on_step = [call, held](const std::string& step) {
        if (step == call)
          held.wait();
      };
    });
  }
  void release() {
    if (!released_) {
      released_ = true;
      release_.set_value();
    }
  }
  std::vector<std::string> stored_names() {
    std::vector<std::string> names;
    for (const DefinitionStatus& definition : engine().definitions())
      names.push_back(definition.name);
    return names;
  }
  bool stored_on_disk(const std::string& name) {
    const StoredDefinitions stored = definitions_.load();
    return std::any_of(stored.maps.begin(), stored.maps.end(),
                       [&](const MapDefinition& map) { return map.name == name; });
  }
  template <class T>
  static ErrorKind kind_of(const Outcome<T>& outcome) {
    try {
      outcome.value_or_throw();
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Failed;  // not an Error, or no failure at all: neither is expected
  }
  void until(const std::function<bool()>& done) {
    ASSERT_TRUE(loop_.run_until(done, std::chrono::seconds(5)));
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> held_ = release_.get_future().share();
  bool released_ = false;
  bool held_call_ = false;
  int late_ = 0;
};

TEST_F(AKernelCallThatOutlivesItsDeadline, IsTimedOutForItsCaller) {
  hold("create late");
  std::optional<Outcome<MapRecord>> made;
  engine().create_map({.name = "late", .table = "0 8 zero\n"}, into(made));
  EXPECT_EQ(kind_of(wait_for(made)), ErrorKind::TimedOut);
}

TEST_F(AKernelCallThatOutlivesItsDeadline, ThatMadeAMapHasItStoredWhenItReturns) {
  hold("create late");
  std::optional<Outcome<MapRecord>> made;
  engine().create_map({.name = "late", .table = "0 8 zero\n"}, into(made));
  ASSERT_EQ(kind_of(wait_for(made)), ErrorKind::TimedOut);
  release();
  until([&] { return engine().catalog().find("late") != nullptr; });
  until([&] {
    const auto names = stored_names();
    return std::find(names.begin(), names.end(), "late") != names.end();
  });
  EXPECT_TRUE(stored_on_disk("late"));
  const MapRecord* late = engine().catalog().find("late");
  ASSERT_NE(late, nullptr);
  EXPECT_TRUE(late->owned);
}

TEST_F(AKernelCallThatOutlivesItsDeadline, ThatRemovedAMapIsNotMadeAgainByTheNextRestore) {
  create({.name = "gone", .table = "0 8 zero\n"});
  hold("remove gone");
  std::optional<Outcome<Done>> removed;
  engine().remove_map({.name = "gone"}, into(removed));
  ASSERT_EQ(kind_of(wait_for(removed)), ErrorKind::TimedOut);
  release();
  until([&] {
    const auto names = stored_names();
    return std::find(names.begin(), names.end(), "gone") == names.end();
  });
  EXPECT_FALSE(stored_on_disk("gone"));
  restore_now();
  EXPECT_THAT(kernel_map_names(), Not(Contains("gone")));
  EXPECT_EQ(engine().catalog().find("gone"), nullptr);
}

}  // namespace
}  // namespace mapperd::testing
