// The authorization table and what mapperd asks polkit, without a bus: which action each method
// needs, that every action exists in the installed policy, and the flags an option selects.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sdbus-c++/Error.h>
#include <sdbus-c++/sdbus-c++.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "bus/call_options.h"
#include "bus/method_actions.h"
#include "bus/polkit_authorizer.h"
#include "model/error.h"
#include "private_bus.h"

namespace mapperd::bus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(TheMethodActionTable, NamesTheActionOfEveryMutatingMethod) {
  EXPECT_THAT(action_for("CreateMap"), Optional(std::string_view("org.mapperd.create")));
  EXPECT_THAT(action_for("CreateSnapshot"), Optional(std::string_view("org.mapperd.snapshot")));
  EXPECT_THAT(action_for("Remove"), Optional(std::string_view("org.mapperd.remove")));
  for (const char* method : {"Reload", "Suspend", "Resume", "Rename", "Message"})
    EXPECT_THAT(action_for(method), Optional(std::string_view("org.mapperd.modify"))) << method;
}

TEST(TheMethodActionTable, NamesManageLoopsForEveryLoopMethod) {
  for (const char* method : {"AttachLoop", "AttachLoopFile", "Detach"})
    EXPECT_THAT(action_for(method), Optional(std::string_view("org.mapperd.manage-loops")))
        << method;
}

TEST(TheMethodActionTable, LetsOnlyRootHaveMapperdOpenAPath) {
  try {
    require_root_if_needed("AttachLoopFile", 1000);
    FAIL() << "a user was let through";
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_EQ(e.getMessage(),
              "only root may call AttachLoopFile; others open the file themselves and pass it "
              "with AttachLoop");
  }
  EXPECT_NO_THROW(require_root_if_needed("AttachLoopFile", 0));
  for (const MethodAction& entry : method_actions()) {
    if (entry.method != "AttachLoopFile") {
      EXPECT_NO_THROW(require_root_if_needed(entry.method, 1000)) << entry.method;
    }
  }
  EXPECT_THROW(require_root_if_needed("Format", 0), Error);
}

TEST(TheMethodActionTable, AsksNothingForAReadMethod) {
  EXPECT_EQ(action_for("GetStatus"), std::nullopt);
}

TEST(TheMethodActionTable, RefusesAMethodItDoesNotList) {
  EXPECT_THROW(action_for("Format"), Error);
}

TEST(TheMethodActionTable, ListsOnlyActionsThePolicyFileDeclares) {
  std::ifstream file(MAPPERD_POLKIT_POLICY_FILE);
  ASSERT_TRUE(file) << MAPPERD_POLKIT_POLICY_FILE;
  std::stringstream policy;
  policy << file.rdbuf();
  for (const MethodAction& entry : method_actions()) {
    if (entry.action.empty())
      continue;
    EXPECT_THAT(policy.str(), HasSubstr("<action id=\"" + std::string(entry.action) + "\">"))
        << entry.method;
  }
}

TEST(ACaller, WhoseUidNobodyFilledInIsNotRoot) {
  const Caller caller{.sender = ":1.7"};
  EXPECT_NE(caller.uid, 0u);
  EXPECT_THROW(require_root_if_needed("AttachLoopFile", caller.uid), sdbus::Error);
}

TEST(ThePolkitAuthorizer, RefusesACallerWhoseUidIsUnknownWithoutAskingPolkit) {
  testing::PrivateBus bus;
  const auto connection = sdbus::createSessionBusConnectionWithAddress(bus.address());
  PolkitAuthorizer authorizer(*connection);
  std::optional<std::exception_ptr> answer;
  authorizer.authorize("org.mapperd.create", Caller{.sender = ":1.7"}, CallOptions{},
                       [&](std::exception_ptr refusal) { answer = refusal; });
  ASSERT_TRUE(answer.has_value()) << "it should answer at once, without polkit";
  ASSERT_NE(*answer, nullptr) << "a caller whose uid is unknown was let in";
  try {
    std::rethrow_exception(*answer);
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_THAT(e.getMessage(), HasSubstr("uid"));
  }
}

TEST(PolkitFlags, AllowUserInteractionWhenTheCallerDidNotSayOtherwise) {
  EXPECT_EQ(polkit_flags(CallOptions::read({})), kPolkitAllowUserInteraction);
  EXPECT_EQ(polkit_flags(CallOptions::read({{"auth.no_user_interaction", sdbus::Variant(false)}})),
            kPolkitAllowUserInteraction);
}

TEST(PolkitFlags, NoUserInteractionWhenTheCallerAskedForNone) {
  EXPECT_EQ(polkit_flags(CallOptions::read({{"auth.no_user_interaction", sdbus::Variant(true)}})),
            0u);
}

TEST(PolkitFlags, ANonBooleanNoUserInteractionIsRefusedBeforePolkitIsAsked) {
  EXPECT_THROW(
      CallOptions::read({{"auth.no_user_interaction", sdbus::Variant(std::string("yes"))}}), Error);
}

TEST(ADenialMessage, NamesTheAction) {
  EXPECT_EQ(denial_message("org.mapperd.create", false), "not authorized for org.mapperd.create");
  EXPECT_THAT(denial_message("org.mapperd.remove", true),
              HasSubstr("not authorized for org.mapperd.remove"));
  EXPECT_THAT(denial_message("org.mapperd.remove", true), HasSubstr("authentication is required"));
  EXPECT_THAT(denial_message("org.mapperd.remove", false),
              Not(HasSubstr("authentication is required")));
}

}  // namespace
}  // namespace mapperd::bus
