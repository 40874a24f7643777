#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

namespace mapperd::bus {

// How many calls of one kind each user has in flight, bounded. Every kernel call waits its turn
// on the one kernel thread: without a bound, one local user could queue reads faster than the
// kernel answers them and make everyone's changes wait behind the queue. Root is not bounded.
class PerUserLimit {
 public:
  // Held while a call is in flight; its slot is free again when the ticket goes (with the
  // engine's completion that holds it, whether the call succeeded or failed).
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }

   private:
    friend class PerUserLimit;
    using Counts = std::map<std::uint32_t, std::size_t>;
    Ticket(std::shared_ptr<Counts> counts, std::uint32_t uid)
        : counts_(std::move(counts)), uid_(uid) {}
    void release() noexcept;

    // Shared with the limit, so a ticket that outlives it (a completion run at shutdown) is safe.
    std::shared_ptr<Counts> counts_;
    std::uint32_t uid_;
  };

  explicit PerUserLimit(std::size_t per_user) : per_user_(per_user) {}

  // A slot for `uid`, or nothing when `uid` has `per_user` calls in flight already.
  std::optional<Ticket> take(std::uint32_t uid);
  std::size_t per_user() const { return per_user_; }
  std::size_t in_flight(std::uint32_t uid) const;

 private:
  std::size_t per_user_;
  std::shared_ptr<Ticket::Counts> counts_ = std::make_shared<Ticket::Counts>();
};

}  // namespace mapperd::bus
