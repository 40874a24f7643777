#include "caller_bound_maps.h"

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <exception>
#include <utility>

namespace mapperd::bus {
namespace {

constexpr const char* kBusName = "org.freedesktop.DBus";
constexpr const char* kBusPath = "/org/freedesktop/DBus";

// The bus daemon's word that `sender` left: NameOwnerChanged for it with no new owner. A unique
// name is never given out twice, so it cannot come back.
std::string left_the_bus_rule(const std::string& sender) {
  return std::string("type='signal',sender='") + kBusName + "',path='" + kBusPath +
         "',interface='" + kBusName + "',member='NameOwnerChanged',arg0='" + sender + "'";
}

}  // namespace

void CallerBoundMaps::watch(const std::string& sender) {
  auto [it, added] = watched_.try_emplace(sender);
  ++it->second.making;
  if (!added)
    return;
  try {
    it->second.match = connection_.addMatch(left_the_bus_rule(sender), [this](sdbus::Message& m) {
      std::string name, old_owner, new_owner;
      m >> name >> old_owner >> new_owner;
      if (new_owner.empty())
        sender_left(name);
    });
    // It may have left before the match was in place; after it, no leaving goes unseen.
    bool has_owner = false;
    sdbus::createProxy(connection_, kBusName, kBusPath)
        ->callMethod("NameHasOwner")
        .onInterface(kBusName)
        .withTimeout(std::chrono::seconds(5))
        .withArguments(sender)
        .storeResultsTo(has_owner);
    it->second.gone = !has_owner;
  } catch (...) {
    watched_.erase(it);
    throw;
  }
}

void CallerBoundMaps::bind(const std::string& name, const std::string& sender) {
  const auto it = watched_.find(sender);
  if (it == watched_.end())
    return;
  --it->second.making;
  it->second.maps.insert(name);
  if (it->second.gone)
    release(name, sender);
}

void CallerBoundMaps::unwatch(const std::string& sender) {
  const auto it = watched_.find(sender);
  if (it == watched_.end())
    return;
  --it->second.making;
  drop_if_unused(it);
}

void CallerBoundMaps::renamed(const std::string& previous_name, const std::string& name) {
  for (auto& [sender, watched] : watched_) {
    if (watched.maps.erase(previous_name) != 0)
      watched.maps.insert(name);
  }
}

void CallerBoundMaps::removed(const std::string& name) {
  for (auto it = watched_.begin(); it != watched_.end();) {
    const auto next = std::next(it);
    if (it->second.maps.erase(name) != 0)
      drop_if_unused(it);
    it = next;
  }
}

void CallerBoundMaps::sender_left(const std::string& sender) {
  // Runs inside the match's own callback: the entry (and its slot) goes later, in removed().
  const auto it = watched_.find(sender);
  if (it == watched_.end() || it->second.gone)
    return;
  it->second.gone = true;
  for (const std::string& name : it->second.maps)
    release(name, sender);
}

void CallerBoundMaps::release(const std::string& name, const std::string& sender) {
  log_.write(LogLevel::Info,
             "removing map " + name + ": it was bound to " + sender + ", which left the bus",
             {{"MAPPERD_MAP", name}});
  RemoveMapRequest request;
  request.name = name;
  // An open map goes when its last user closes it; what was built on it goes first.
  request.kernel.deferred = true;
  request.with_snapshots = true;
  engine_.remove_map(std::move(request), [this, name](Outcome<Done> outcome) {
    try {
      outcome.value_or_throw();
    } catch (const std::exception& e) {
      log_.write(LogLevel::Warning,
                 "cannot remove map " + name + " after its caller left: " + e.what(),
                 {{"MAPPERD_MAP", name}});
    }
  });
}

void CallerBoundMaps::drop_if_unused(std::map<std::string, Watched>::iterator it) {
  if (it->second.maps.empty() && it->second.making <= 0)
    watched_.erase(it);
}

}  // namespace mapperd::bus
