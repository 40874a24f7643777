#include "caller.h"

#include <sdbus-c++/IObject.h>
#include <sdbus-c++/Message.h>

#include "model/error.h"

namespace mapperd::bus {

std::string Caller::describe() const {
  return sender + " (uid " + std::to_string(uid) + ")";
}

std::uint32_t SenderUids::uid_of(const sdbus::Message& message) {
  const std::string sender = message.getSender();
  if (const auto known = uids_.find(sender); known != uids_.end())
    return known->second;
  const std::uint32_t uid = message.getCredsUid();
  if (uids_.size() >= kMaxSenders)
    uids_.clear();
  uids_.emplace(sender, uid);
  return uid;
}

Caller current_caller(const sdbus::IObject& object, SenderUids& uids) {
  const sdbus::Message* message = object.getCurrentlyProcessedMessage();
  if (message == nullptr) {
    throw Error(ErrorKind::Failed, "no method call is being handled; the caller is unknown");
  }
  Caller caller;
  caller.sender = message->getSender();
  caller.uid = uids.uid_of(*message);
  return caller;
}

}  // namespace mapperd::bus
