#include "engine/operation_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;

class AnOperationQueue : public ::testing::Test {
 protected:
  // Queues an operation that writes its label down when it starts and keeps its ticket.
  void queue(const std::string& label, std::vector<std::string> names) {
    queue_.run(std::move(names), [this, label](OperationQueue::Ticket ticket) {
      started_.push_back(label);
      tickets_[label] = ticket;
    });
  }
  void finish(const std::string& label) { queue_.finish(tickets_.at(label)); }

  OperationQueue queue_;
  std::vector<std::string> started_;
  std::map<std::string, OperationQueue::Ticket> tickets_;
};

TEST_F(AnOperationQueue, RunsOperationsOnDifferentMapsAtOnce) {
  queue("a", {"one"});
  queue("b", {"two"});
  EXPECT_THAT(started_, ElementsAre("a", "b"));
}

TEST_F(AnOperationQueue, HoldsASecondOperationOnTheSameMapUntilTheFirstFinishes) {
  queue("first", {"one"});
  queue("second", {"one"});
  EXPECT_THAT(started_, ElementsAre("first"));
  finish("first");
  EXPECT_THAT(started_, ElementsAre("first", "second"));
}

TEST_F(AnOperationQueue, NeverLetsALaterOperationOvertakeAWaitingOne) {
  queue("holds-one", {"one"});
  queue("needs-one-and-two", {"one", "two"});
  queue("needs-two", {"two"});
  EXPECT_THAT(started_, ElementsAre("holds-one"));
  finish("holds-one");
  EXPECT_THAT(started_, ElementsAre("holds-one", "needs-one-and-two"));
  finish("needs-one-and-two");
  EXPECT_THAT(started_, ElementsAre("holds-one", "needs-one-and-two", "needs-two"));
}

TEST_F(AnOperationQueue, LetsAnOperationFinishWhileItStarts) {
  std::vector<std::string> order;
  queue_.run({"one"}, [&](OperationQueue::Ticket ticket) {
    order.push_back("refused at once");
    queue_.finish(ticket);
  });
  queue_.run({"one"}, [&](OperationQueue::Ticket) { order.push_back("next"); });
  EXPECT_THAT(order, ElementsAre("refused at once", "next"));
  EXPECT_EQ(queue_.running(), 1u);
  EXPECT_EQ(queue_.waiting(), 0u);
}

}  // namespace
}  // namespace mapperd
