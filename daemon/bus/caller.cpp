#include "caller.h"

#include <sdbus-c++/IObject.h>
#include <sdbus-c++/Message.h>

#include "model/error.h"

namespace mapperd::bus {

std::string Caller::describe() const {
  return sender + " (uid " + std::to_string(uid) + ")";
}

Caller current_caller(const sdbus::IObject& object) {
  const sdbus::Message* message = object.getCurrentlyProcessedMessage();
  if (message == nullptr) {
    throw Error(ErrorKind::Failed, "no method call is being handled; the caller is unknown");
  }
  Caller caller;
  caller.sender = message->getSender();
  // sd-bus asks the bus daemon (GetConnectionCredentials) when the message does not carry them.
  caller.uid = message->getCredsUid();
  return caller;
}

}  // namespace mapperd::bus
