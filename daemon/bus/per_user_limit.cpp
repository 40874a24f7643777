#include "per_user_limit.h"

namespace mapperd::bus {

PerUserLimit::Ticket& PerUserLimit::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    uid_ = other.uid_;
  }
  return *this;
}

void PerUserLimit::Ticket::release() noexcept {
  if (!counts_)
    return;  // moved from, or released
  const auto it = counts_->find(uid_);
  if (it != counts_->end() && --it->second == 0)
    counts_->erase(it);
  counts_.reset();
}

std::optional<PerUserLimit::Ticket> PerUserLimit::take(std::uint32_t uid) {
  if (uid != 0 && in_flight(uid) >= per_user_)
    return std::nullopt;
  ++(*counts_)[uid];
  return Ticket(counts_, uid);
}

std::size_t PerUserLimit::in_flight(std::uint32_t uid) const {
  const auto it = counts_->find(uid);
  return it == counts_->end() ? 0 : it->second;
}

}  // namespace mapperd::bus
