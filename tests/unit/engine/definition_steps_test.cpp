// Definitions read back from the kernel after a snapshot's or a removal's kernel steps: every
// target the running kernel lists is read, passthrough ones (crypt) included.

#include "engine/definition_steps.h"

#include <gtest/gtest.h>

#include "fakes/fake_kernel_backend.h"

namespace mapperd {
namespace {

TEST(DefineFromKernel, ReadsAMapOfAPassthroughTargetTheKernelLists) {
  FakeKernelBackend fake;
  const std::string params = "aes-xts-plain64 " + std::string(64, 'e') + " 0 7:1 0";
  fake.create({"vault", "MAPPERD-vault", {{Sectors(0), Sectors(4096), "crypt", params}}, false});
  const std::optional<MapDefinition> definition =
      define_from_kernel(fake, EngineStorage{}, "vault", 1000);
  ASSERT_TRUE(definition);
  EXPECT_EQ(definition->table, "0 4096 crypt " + params + "\n");
  EXPECT_EQ(definition->uuid, "MAPPERD-vault");
  EXPECT_EQ(definition->created_by_uid, 1000u);
  EXPECT_TRUE(definition->devices.empty());
}

}  // namespace
}  // namespace mapperd
