#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <set>
#include <string>
#include <vector>

namespace mapperd {

// Serializes operations per map name: an operation starts once no operation that started or was
// queued before it holds any of its names, and holds them until finish(). Operations on other
// maps run meanwhile. A check an operation makes against the catalog when it starts therefore
// sees the result of every earlier operation on the same maps.
//
// Single-threaded (the engine's thread). `start` may call finish() before it returns.
class OperationQueue {
 public:
  using Ticket = std::uint64_t;

  // Runs `start(ticket)` now or once `names` are free, in submission order among operations that
  // share a name.
  void run(std::vector<std::string> names, std::function<void(Ticket)> start);
  // Releases the names `ticket` holds and starts whatever was waiting for them.
  void finish(Ticket ticket);

  // Operations started and not finished, and operations waiting.
  std::size_t running() const { return running_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Operation {
    Ticket ticket = 0;
    std::vector<std::string> names;
    std::function<void(Ticket)> start;
  };

  void start_ready();

  Ticket next_ticket_ = 1;
  std::list<Operation> waiting_;
  std::list<Operation> running_;
  bool starting_ = false;
};

}  // namespace mapperd
