#include "operation_queue.h"

#include <algorithm>

namespace mapperd {

void OperationQueue::run(std::vector<std::string> names, std::function<void(Ticket)> start) {
  waiting_.push_back(Operation{next_ticket_++, std::move(names), std::move(start)});
  start_ready();
}

void OperationQueue::finish(Ticket ticket) {
  running_.remove_if([ticket](const Operation& op) { return op.ticket == ticket; });
  start_ready();
}

void OperationQueue::start_ready() {
  // A start() that finishes at once re-enters here; the outer call's loop picks up what that
  // freed, so starting stays in submission order.
  if (starting_)
    return;
  starting_ = true;
  bool started_one = true;
  while (started_one) {
    started_one = false;
    std::set<std::string> taken;
    for (const Operation& op : running_)
      taken.insert(op.names.begin(), op.names.end());
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      const bool blocked = std::any_of(it->names.begin(), it->names.end(),
                                       [&taken](const std::string& n) { return taken.count(n); });
      // A waiting operation blocks later ones on its names too, or they would overtake it.
      taken.insert(it->names.begin(), it->names.end());
      if (blocked)
        continue;
      running_.splice(running_.end(), waiting_, it);
      Operation& op = running_.back();
      // Copy: start() may finish the operation, which destroys `op`.
      auto start = op.start;
      start(op.ticket);
      started_one = true;
      break;
    }
  }
  starting_ = false;
}

}  // namespace mapperd
