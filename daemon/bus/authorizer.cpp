#include "authorizer.h"

namespace mapperd::bus {

std::string_view action_id(Action action) {
  switch (action) {
    case Action::CreateMap:
      return "org.mapperd.Mapper1.create-map";
    case Action::CreateSnapshot:
      return "org.mapperd.Mapper1.create-snapshot";
    case Action::ChangeMap:
      return "org.mapperd.Mapper1.change-map";
    case Action::RemoveMap:
      return "org.mapperd.Mapper1.remove-map";
    case Action::ReadStatus:
      return "org.mapperd.Mapper1.read-status";
  }
  return "org.mapperd.Mapper1.change-map";
}

void AllowEverything::authorize(Action, const Caller&, const CallOptions&,
                                Continuation continuation) {
  continuation(nullptr);
}

}  // namespace mapperd::bus
