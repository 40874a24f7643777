// A device vanishing under a running map and coming back: the map is degraded meanwhile, and a
// stored one is put back on it (under the same number or a new one) through a table that lets
// go of the dead device first; a reload by the user does the same, and a repair cut short by a
// crash is finished at the next start.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/definition_steps.h"
#include "persistence_fixture.h"
#include "store/runtime_state.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr DeviceNumber kDiskA{8, 16};
constexpr DeviceNumber kDiskB{8, 32};
constexpr const char* kTable = "0 4096 linear 8:16 0\n4096 4096 linear 8:32 0\n";

class AMapWhoseDiskGoes : public PersistenceFixture {
 protected:
  void SetUp() override {
    plug_disk(kDiskA, "DISK-A");
    plug_disk(kDiskB, "DISK-B");
    start();
  }
  // The live table at every load of `name` from now on: what the map carried before each swap.
  void record_tables_before_loads(const std::string& name) {
    on_kernel([this, name](FakeKernelBackend& fake) {
      fake.on_step = [this, &fake, name](const std::string& call) {
        if (call == "load " + name)
          tables_before_loads_.push_back(table_text(fake.table(name)));
      };
    });
  }
  const MapRecord& record(const std::string& name) { return *engine().catalog().find(name); }
  std::vector<std::string> tables_before_loads_;
};

TEST_F(AMapWhoseDiskGoes, IsDegradedNamingItAndStaysSoWhenItsNumberComesBackAlone) {
  create({.name = "scratch", .table = kTable, .persistent = false});
  unplug(kDiskA);
  restore_now();
  EXPECT_EQ(record("scratch").state, MapState::Degraded);
  EXPECT_THAT(record("scratch").missing_devices, ElementsAre("8:16"));
  // Not stored: nothing knows which disk it was, so the number's return repairs nothing, and
  // the map still holds the dead device.
  plug_disk(kDiskA, "DISK-A");
  restore_now();
  EXPECT_EQ(record("scratch").state, MapState::Degraded);
  EXPECT_THAT(record("scratch").missing_devices, ElementsAre("8:16"));
  EXPECT_THAT(reports_.back().repaired, IsEmpty());
}

TEST_F(AMapWhoseDiskGoes, IsPutBackOnItUnderTheSameNumberThroughATableWithoutIt) {
  create({.name = "held", .table = kTable});
  unplug(kDiskA);
  restore_now();
  EXPECT_EQ(record("held").state, MapState::Degraded);
  EXPECT_THAT(observer().events, Contains("changed held: State MissingDevices"));

  record_tables_before_loads("held");
  plug_disk(kDiskA, "DISK-A");
  restore_now();
  // First the dead device is let go of (the other disk's segment keeps working), then the
  // stored table goes in on the disk that came back.
  EXPECT_THAT(tables_before_loads_, ElementsAre(kTable, "0 4096 error\n4096 4096 linear 8:32 0\n"));
  EXPECT_EQ(kernel_table("held"), kTable);
  EXPECT_EQ(record("held").state, MapState::Active);
  EXPECT_THAT(record("held").missing_devices, IsEmpty());
  EXPECT_THAT(reports_.back().repaired, ElementsAre("held"));
  EXPECT_THAT(RuntimeState(runtime_dir()).load_intents(), IsEmpty());
}

TEST_F(AMapWhoseDiskGoes, IsPutBackOnItUnderANewNumber) {
  create({.name = "held", .table = kTable});
  unplug(kDiskA);
  restore_now();
  plug_disk(DeviceNumber{8, 80}, "A-STRANGER");
  restore_now();
  EXPECT_EQ(record("held").state, MapState::Degraded) << "another disk is not this one";
  plug_disk(DeviceNumber{8, 64}, "DISK-A");
  restore_now();
  EXPECT_EQ(kernel_table("held"), "0 4096 linear 8:64 0\n4096 4096 linear 8:32 0\n");
  EXPECT_EQ(record("held").state, MapState::Active);
  EXPECT_THAT(reports_.back().repaired, ElementsAre("held"));
}

TEST_F(AMapWhoseDiskGoes, IsLetGoOfByAReloadOfTheSameTable) {
  create({.name = "scratch", .table = kTable, .persistent = false});
  unplug(kDiskA);
  restore_now();
  plug_disk(kDiskA, "DISK-A");
  restore_now();
  record_tables_before_loads("scratch");
  std::optional<Outcome<Done>> reloaded;
  engine().reload_map("scratch", kTable, into(reloaded));
  wait_for(reloaded).value_or_throw();
  EXPECT_THAT(tables_before_loads_, ElementsAre(kTable, "0 4096 error\n4096 4096 linear 8:32 0\n"));
  EXPECT_EQ(record("scratch").state, MapState::Active);
  EXPECT_THAT(record("scratch").missing_devices, IsEmpty());
}

TEST_F(AMapWhoseDiskGoes, IsPutBackAtStartWhenARepairWasCutShort) {
  create({.name = "held", .table = kTable});
  const std::vector<MapDefinition> stored = DefinitionStore(state_dir()).load().maps;
  // As if mapperd had died between the repair's two reloads: the map on its interim table.
  on_kernel([](FakeKernelBackend& fake) {
    fake.reload("held", {{Sectors(0), Sectors(4096), "error", ""},
                         {Sectors(4096), Sectors(4096), "linear", "8:32 0"}});
  });
  RuntimeState(runtime_dir())
      .save_intent({.id = "repair-held-1", .kind = "repair", .maps = {"held"}, .to_save = stored});
  restart_daemon();
  start();
  EXPECT_THAT(reports_.back().recovered,
              Contains("repair of 'held' completed: back on its devices"));
  EXPECT_EQ(kernel_table("held"), kTable);
  EXPECT_EQ(record("held").state, MapState::Active);
  EXPECT_THAT(RuntimeState(runtime_dir()).load_intents(), IsEmpty());
}

}  // namespace
}  // namespace mapperd::testing
