#pragma once

#include <sdbus-c++/IConnection.h>

#include <map>
#include <set>
#include <string>

#include "engine/engine.h"
#include "log/event_log.h"

namespace mapperd::bus {

// Maps made with CreateMap's bind-to-caller option: scratch maps a desktop tool holds only while
// it runs. Each is tied to the unique bus name of its caller and removed (deferred, with its
// snapshots) when that name leaves the bus, whether the caller exited, crashed or was killed.
//
// The binding lives in this process: a mapperd restarted while such a map runs leaves it an
// ordinary unstored map, removed at the next boot like any other.
class CallerBoundMaps {
 public:
  CallerBoundMaps(sdbus::IConnection& connection, Engine& engine, EventLog& log)
      : connection_(connection), engine_(engine), log_(log) {}

  CallerBoundMaps(const CallerBoundMaps&) = delete;
  CallerBoundMaps& operator=(const CallerBoundMaps&) = delete;

  // Starts following `sender` (":1.42") before its map is made, so that its leaving, even before
  // the map exists, is not missed. Throws sdbus::Error when the bus refuses the match.
  void watch(const std::string& sender);
  // Ties the map `name`, now made, to `sender` (watched): removed at once if the sender has left.
  void bind(const std::string& name, const std::string& sender);
  // Stops following `sender` for a map that was not made.
  void unwatch(const std::string& sender);

  // The engine's news of a bound map: it moved to a new name, or it went.
  void renamed(const std::string& previous_name, const std::string& name);
  void removed(const std::string& name);

 private:
  struct Watched {
    sdbus::Slot match;
    // Maps bound to the sender, and the calls still making one (their bind() or unwatch() comes).
    std::set<std::string> maps;
    int making = 0;
    bool gone = false;
  };

  void sender_left(const std::string& sender);
  void release(const std::string& name, const std::string& sender);
  // Forgets `sender` once nothing is bound to it and no call is making a map for it.
  void drop_if_unused(std::map<std::string, Watched>::iterator it);

  sdbus::IConnection& connection_;
  Engine& engine_;
  EventLog& log_;
  std::map<std::string, Watched> watched_;
};

}  // namespace mapperd::bus
