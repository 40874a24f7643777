#include "fakes/kernel_backend_contract.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "fakes/expect_error.h"
#include "model/error.h"

namespace mapperd::contract {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::MatchesRegex;
using ::testing::Optional;
using ::testing::StartsWith;

std::string subject_name(const ::testing::TestParamInfo<NamedSubject>& info) {
  return info.param.name;
}

void PrintTo(const NamedSubject& subject, std::ostream* out) {
  *out << subject.name;
}

namespace {

TargetLine line(std::uint64_t start, std::uint64_t length, std::string type, std::string params) {
  return {Sectors(start), Sectors(length), std::move(type), std::move(params)};
}

std::vector<std::string> names_of(const std::vector<MapListing>& maps) {
  std::vector<std::string> names;
  for (const MapListing& map : maps)
    names.push_back(map.name);
  return names;
}

// Polls `done` until it holds or `timeout` passes; for work the kernel finishes on its own
// (a deferred remove runs in a kernel work queue, with no event we could wait for).
template <class Condition>
bool eventually(Condition&& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

void AKernelBackend::SetUp() {
  subject_ = GetParam().make();
}

void AKernelBackend::TearDown() {
  if (!subject_)
    return;
  remove_leftovers();
  subject_->check_for_leaks();
}

void AKernelBackend::remove_leftovers() {
  // A map another map stacks on is busy until the upper one is gone: sweep until nothing moves.
  for (bool removed_some = true; removed_some;) {
    removed_some = false;
    for (const MapListing& map : backend().list()) {
      if (!map.name.starts_with(subject_->name_prefix()))
        continue;
      try {
        backend().remove(map.name);
        removed_some = true;
      } catch (const Error& error) {
        if (error.kind() != ErrorKind::Busy)
          ADD_FAILURE() << "cleanup: " << error.what();
      }
    }
  }
  for (const MapListing& map : backend().list()) {
    EXPECT_FALSE(map.name.starts_with(subject_->name_prefix()))
        << "the test left " << map.name << " behind and it cannot be removed";
  }
}

std::string AKernelBackend::map_name(std::string_view suffix) {
  return subject_->name_prefix() + std::string(suffix);
}

std::string AKernelBackend::uuid_for(const std::string& name) {
  return "MAPPERD-contract-" + name;
}

std::vector<TargetLine> AKernelBackend::linear(int disk, std::uint64_t length,
                                               std::uint64_t offset) {
  return {
      line(0, length, "linear", subject_->disk(disk).to_string() + " " + std::to_string(offset))};
}

MapInfo AKernelBackend::create_linear(const std::string& name, int disk, std::uint64_t length) {
  return backend().create({name, uuid_for(name), linear(disk, length), false});
}

// --- what the backend reports ---

TEST_P(AKernelBackend, ReportsTheDriverVersion) {
  EXPECT_THAT(backend().driver_version(), MatchesRegex("4\\.[0-9]+\\.[0-9]+"));
}

TEST_P(AKernelBackend, ListsTheTargetsOurTablesUse) {
  std::vector<std::string> names;
  for (const TargetVersion& target : backend().targets())
    names.push_back(target.name);
  EXPECT_THAT(names, IsSupersetOf({"linear", "striped", "zero", "error", "snapshot",
                                   "snapshot-origin", "snapshot-merge"}));
}

TEST_P(AKernelBackend, HasNoInfoForAMapThatDoesNotExist) {
  EXPECT_EQ(backend().info(map_name("never-made")), std::nullopt);
}

// --- create ---

TEST_P(AKernelBackend, CreatesAMapThatInfoListAndTableShow) {
  const std::string name = map_name("one");
  const MapInfo made = create_linear(name, 0, 4096);

  EXPECT_EQ(made.name, name);
  EXPECT_EQ(made.uuid, uuid_for(name));
  EXPECT_TRUE(made.live_table);
  EXPECT_FALSE(made.inactive_table);
  EXPECT_FALSE(made.suspended);
  EXPECT_FALSE(made.read_only);
  EXPECT_EQ(made.target_count, 1u);
  EXPECT_THAT(backend().info(name), Optional(made));
  EXPECT_THAT(backend().list(), Contains(MapListing{name, uuid_for(name), made.device}));
  EXPECT_EQ(backend().table(name), linear(0, 4096));
}

TEST_P(AKernelBackend, CreatesAReadOnlyMap) {
  const std::string name = map_name("ro");
  const MapInfo made = backend().create({name, uuid_for(name), linear(0, 4096), true});
  EXPECT_TRUE(made.read_only);
}

TEST_P(AKernelBackend, ConcatenatesTwoDevicesInOneTable) {
  const std::string name = map_name("two");
  const std::vector<TargetLine> table = {
      line(0, 4096, "linear", subject().disk(0).to_string() + " 0"),
      line(4096, 2048, "linear", subject().disk(1).to_string() + " 16")};
  const MapInfo made = backend().create({name, uuid_for(name), table, false});
  EXPECT_EQ(made.target_count, 2u);
  EXPECT_EQ(backend().table(name), table);
}

TEST_P(AKernelBackend, PrintsDevicePathsAsDeviceNumbers) {
  const std::string name = map_name("path");
  backend().create(
      {name, uuid_for(name), {line(0, 2048, "linear", subject().disk_path(1) + " 8")}, false});
  EXPECT_THAT(backend().table(name),
              ElementsAre(line(0, 2048, "linear", subject().disk(1).to_string() + " 8")));
}

TEST_P(AKernelBackend, ListsMapsSortedByName) {
  create_linear(map_name("b"), 0, 1024);
  create_linear(map_name("a"), 1, 1024);
  std::vector<std::string> ours;
  for (const std::string& name : names_of(backend().list())) {
    if (name.starts_with(subject().name_prefix()))
      ours.push_back(name);
  }
  EXPECT_THAT(ours, ElementsAre(map_name("a"), map_name("b")));
}

TEST_P(AKernelBackend, ReportsOneStatusLinePerSegment) {
  const std::string name = map_name("status");
  backend().create({name,
                    uuid_for(name),
                    {line(0, 1024, "linear", subject().disk(0).to_string() + " 0"),
                     line(1024, 1024, "zero", "")},
                    false});
  const std::vector<TargetLine> status = backend().status(name);
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0], line(0, 1024, "linear", ""));  // linear reports nothing
  EXPECT_EQ(status[1], line(1024, 1024, "zero", ""));
}

TEST_P(AKernelBackend, ListsTheDevicesTheLiveTableUses) {
  const std::string name = map_name("deps");
  backend().create({name,
                    uuid_for(name),
                    {line(0, 1024, "linear", subject().disk(1).to_string() + " 0"),
                     line(1024, 1024, "linear", subject().disk(0).to_string() + " 0")},
                    false});
  std::vector<DeviceNumber> devices = backend().dependencies(name);
  std::sort(devices.begin(), devices.end());
  std::vector<DeviceNumber> expected = {subject().disk(0), subject().disk(1)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(devices, expected);
}

// --- changing tables ---

TEST_P(AKernelBackend, ReloadSwapsTheLiveTableAndLeavesNothingSuspended) {
  const std::string name = map_name("reload");
  create_linear(name, 0, 2048);
  backend().reload(name, linear(1, 4096));
  EXPECT_EQ(backend().table(name), linear(1, 4096));
  const MapInfo after = *backend().info(name);
  EXPECT_FALSE(after.suspended);
  EXPECT_FALSE(after.inactive_table);
}

TEST_P(AKernelBackend, LoadFillsOnlyTheInactiveSlotUntilResume) {
  const std::string name = map_name("load");
  create_linear(name, 0, 2048);
  backend().load(name, linear(1, 1024));
  EXPECT_TRUE(backend().info(name)->inactive_table);
  EXPECT_EQ(backend().table(name), linear(0, 2048));

  backend().resume(name);
  EXPECT_EQ(backend().table(name), linear(1, 1024));
  EXPECT_FALSE(backend().info(name)->inactive_table);
}

TEST_P(AKernelBackend, ClearInactiveDropsTheLoadedTable) {
  const std::string name = map_name("clear");
  create_linear(name, 0, 2048);
  backend().load(name, linear(1, 1024));
  backend().clear_inactive(name);
  EXPECT_FALSE(backend().info(name)->inactive_table);
  backend().resume(name);
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, SuspendsAndResumes) {
  const std::string name = map_name("suspend");
  create_linear(name, 0, 2048);
  backend().suspend(name);
  EXPECT_TRUE(backend().info(name)->suspended);
  backend().resume(name);
  EXPECT_FALSE(backend().info(name)->suspended);
}

TEST_P(AKernelBackend, SuspendsWithoutFlushing) {
  const std::string name = map_name("noflush");
  create_linear(name, 0, 2048);
  backend().suspend(name, true);
  EXPECT_TRUE(backend().info(name)->suspended);
  backend().resume(name);
  EXPECT_FALSE(backend().info(name)->suspended);
}

TEST_P(AKernelBackend, RenamesAMapKeepingItsDeviceAndUuid) {
  const std::string old_name = map_name("before");
  const std::string new_name = map_name("after");
  const MapInfo made = create_linear(old_name, 0, 2048);
  backend().rename(old_name, new_name);

  EXPECT_EQ(backend().info(old_name), std::nullopt);
  const std::optional<MapInfo> renamed = backend().info(new_name);
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->device, made.device);
  EXPECT_EQ(renamed->uuid, made.uuid);
}

TEST_P(AKernelBackend, WakesAnEventWaiterWhoseCounterIsBehind) {
  // A rename is an event for the map's waiters.
  const std::string name = map_name("event");
  const MapInfo made = create_linear(name, 0, 2048);
  backend().rename(name, map_name("event2"));
  EXPECT_GT(backend().wait_event(map_name("event2"), made.event_number), made.event_number);
}

TEST_P(AKernelBackend, AnswersAStatsCreateMessageWithTheRegionId) {
  const std::string name = map_name("stats");
  create_linear(name, 0, 2048);
  EXPECT_EQ(backend().message(name, Sectors(0), "@stats_create - /1"), "0");
  EXPECT_EQ(backend().message(name, Sectors(0), "@stats_create - /1"), "1");
}

TEST_P(AKernelBackend, RefusesAMessageTheTargetCannotHandle) {
  const std::string name = map_name("msg");
  create_linear(name, 0, 2048);
  const std::string message =
      error_of(ErrorKind::InvalidArgument, [&] { backend().message(name, Sectors(0), "hello"); });
  EXPECT_THAT(message, StartsWith("message " + name + ": EINVAL: "));
  EXPECT_THAT(message, HasSubstr("does not support messages"));
}

// --- remove ---

TEST_P(AKernelBackend, RemovesAMap) {
  const std::string name = map_name("gone");
  create_linear(name, 0, 2048);
  backend().remove(name);
  EXPECT_EQ(backend().info(name), std::nullopt);
  EXPECT_THAT(names_of(backend().list()), ::testing::Not(Contains(name)));
}

TEST_P(AKernelBackend, RemovesAStackTopDownOnly) {
  const std::string lower = map_name("lower");
  const std::string upper = map_name("upper");
  const MapInfo base = create_linear(lower, 0, 2048);
  backend().create(
      {upper, uuid_for(upper), {line(0, 2048, "linear", base.device.to_string() + " 0")}, false});

  const std::string message = error_of(ErrorKind::Busy, [&] { backend().remove(lower); });
  EXPECT_THAT(message, HasSubstr("remove " + lower + ": EBUSY: device is in use (open count 1)"));
  backend().remove(upper);
  backend().remove(lower);
  EXPECT_EQ(backend().info(lower), std::nullopt);
}

TEST_P(AKernelBackend, RefusesToRemoveAnOpenMapAndLeavesItRunning) {
  const std::string name = map_name("open");
  create_linear(name, 0, 2048);
  const std::shared_ptr<void> holder = subject().hold_open(name);

  const std::string message = error_of(ErrorKind::Busy, [&] { backend().remove(name); });
  EXPECT_THAT(message, StartsWith("remove " + name + ": EBUSY: device is in use (open count "));
  const std::optional<MapInfo> still = backend().info(name);
  ASSERT_TRUE(still.has_value());
  EXPECT_FALSE(still->suspended);
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, RemovesAnOpenMapAtItsLastCloseWhenDeferred) {
  const std::string name = map_name("deferred");
  create_linear(name, 0, 2048);
  std::shared_ptr<void> holder = subject().hold_open(name);

  backend().remove(name, {.force = false, .deferred = true});
  EXPECT_TRUE(backend().info(name).has_value());
  holder.reset();
  EXPECT_TRUE(
      eventually([&] { return !backend().info(name).has_value(); }, std::chrono::seconds(10)));
  subject().settle();
}

TEST_P(AKernelBackend, ForcedRemoveOfAnOpenMapFailsItsIoButKeepsItWhileOpen) {
  const std::string name = map_name("forced");
  create_linear(name, 0, 2048);
  const std::shared_ptr<void> holder = subject().hold_open(name);

  error_of(ErrorKind::Busy, [&] { backend().remove(name, {.force = true, .deferred = false}); });
  EXPECT_THAT(backend().table(name), ElementsAre(line(0, 2048, "error", "")));
  EXPECT_FALSE(backend().info(name)->suspended);
}

// --- refusals ---

TEST_P(AKernelBackend, RefusesToCreateANameThatExists) {
  const std::string name = map_name("twice");
  create_linear(name, 0, 2048);
  const std::string message = error_of(ErrorKind::AlreadyExists, [&] {
    backend().create({name, uuid_for(name) + "-2", linear(1, 1024), false});
  });
  EXPECT_EQ(message, "create " + name + ": EEXIST: a map with this name already exists");
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, RefusesToCreateAUuidAnotherMapHas) {
  const std::string first = map_name("uuid1");
  const std::string second = map_name("uuid2");
  create_linear(first, 0, 2048);
  const std::string message = error_of(ErrorKind::AlreadyExists, [&] {
    backend().create({second, uuid_for(first), linear(1, 1024), false});
  });
  EXPECT_THAT(message, StartsWith("create " + second + ": EEXIST: a map with UUID "));
  EXPECT_EQ(backend().info(second), std::nullopt);
}

TEST_P(AKernelBackend, RefusesATableOverADeviceThatDoesNotExistAndMakesNoMap) {
  const std::string name = map_name("nodev");
  const std::string absent = subject().absent_device().to_string();
  const std::string message = error_of(ErrorKind::DeviceMissing, [&] {
    backend().create({name, uuid_for(name), {line(0, 1024, "linear", absent + " 0")}, false});
  });
  EXPECT_THAT(message, StartsWith("create " + name + ": ENODEV: the table names device " + absent +
                                  ", which does not exist"));
  EXPECT_EQ(backend().info(name), std::nullopt);
}

TEST_P(AKernelBackend, RefusesATableWithAGapAndRemovesTheHalfMadeMap) {
  const std::string name = map_name("gap");
  const std::string message = error_of(ErrorKind::InvalidTable, [&] {
    backend().create(
        {name, uuid_for(name), {line(0, 1024, "zero", ""), line(2048, 1024, "zero", "")}, false});
  });
  EXPECT_THAT(message, StartsWith("create " + name + ": EINVAL: the kernel refused the table"));
  EXPECT_THAT(message, HasSubstr("the half-made map was removed again"));
  EXPECT_EQ(backend().info(name), std::nullopt);
}

TEST_P(AKernelBackend, RefusesASegmentReachingPastItsDevice) {
  const std::string name = map_name("toolong");
  const std::uint64_t size = subject().disk_size(0).count();
  error_of(ErrorKind::InvalidTable, [&] {
    backend().create({name, uuid_for(name), linear(0, size + 8), false});
  });
  EXPECT_EQ(backend().info(name), std::nullopt);
}

TEST_P(AKernelBackend, RefusesAnEmptyTable) {
  const std::string name = map_name("empty");
  error_of(ErrorKind::InvalidTable, [&] { backend().create({name, uuid_for(name), {}, false}); });
  EXPECT_EQ(backend().info(name), std::nullopt);
}

TEST_P(AKernelBackend, NamesTheOperationAndTheMapWhenTheMapDoesNotExist) {
  const std::string name = map_name("missing");
  const std::vector<std::pair<std::string, std::function<void()>>> operations = {
      {"table", [&] { backend().table(name); }},
      {"status", [&] { backend().status(name); }},
      {"deps", [&] { backend().dependencies(name); }},
      {"load", [&] { backend().load(name, linear(0, 1024)); }},
      {"clear", [&] { backend().clear_inactive(name); }},
      {"reload", [&] { backend().reload(name, linear(0, 1024)); }},
      {"suspend", [&] { backend().suspend(name); }},
      {"resume", [&] { backend().resume(name); }},
      {"remove", [&] { backend().remove(name); }},
      {"rename", [&] { backend().rename(name, map_name("missing2")); }},
      {"message", [&] { backend().message(name, Sectors(0), "@stats_list"); }},
      {"wait", [&] { backend().wait_event(name, 0); }},
  };
  for (const auto& [operation, call] : operations) {
    EXPECT_EQ(error_of(ErrorKind::NotFound, call),
              operation + " " + name + ": ENXIO: no map with this name");
  }
}

TEST_P(AKernelBackend, RefusesARenameOntoATakenName) {
  const std::string first = map_name("first");
  const std::string second = map_name("second");
  create_linear(first, 0, 1024);
  create_linear(second, 1, 1024);
  const std::string message =
      error_of(ErrorKind::AlreadyExists, [&] { backend().rename(first, second); });
  EXPECT_EQ(message, "rename " + first + ": EEXIST: a map named " + second + " already exists");
  EXPECT_EQ(backend().table(first), linear(0, 1024));
  EXPECT_EQ(backend().table(second), linear(1, 1024));
}

TEST_P(AKernelBackend, KeepsTheOldTableWhenAReloadNamesAMissingDevice) {
  const std::string name = map_name("keep1");
  create_linear(name, 0, 2048);
  error_of(ErrorKind::DeviceMissing, [&] {
    backend().reload(name, {line(0, 1024, "linear", subject().absent_device().to_string() + " 0")});
  });
  const MapInfo after = *backend().info(name);
  EXPECT_FALSE(after.suspended);
  EXPECT_FALSE(after.inactive_table);
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, KeepsTheOldTableWhenTheKernelRefusesAReload) {
  const std::string name = map_name("keep2");
  create_linear(name, 0, 2048);
  const std::string message = error_of(ErrorKind::InvalidTable, [&] {
    backend().reload(name, {line(0, 1024, "zero", ""), line(2048, 1024, "zero", "")});
  });
  EXPECT_THAT(message, HasSubstr("nothing was suspended; the live table is unchanged"));
  const MapInfo after = *backend().info(name);
  EXPECT_FALSE(after.suspended);
  EXPECT_FALSE(after.inactive_table);
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, KeepsTheOldTableWhenAReloadReachesPastItsDevice) {
  // The kernel checks a new table against its devices' sizes when it swaps it in, so the real
  // backend learns this at the resume and the fake at the load: either way the old table stays.
  const std::string name = map_name("keep4");
  create_linear(name, 0, 2048);
  error_of(ErrorKind::InvalidTable,
           [&] { backend().reload(name, linear(0, subject().disk_size(0).count() + 8)); });
  const MapInfo after = *backend().info(name);
  EXPECT_FALSE(after.suspended);
  EXPECT_FALSE(after.inactive_table);
  EXPECT_EQ(backend().table(name), linear(0, 2048));
}

TEST_P(AKernelBackend, KeepsAnEarlierLoadedTableWhenALoadIsRefused) {
  const std::string name = map_name("keep3");
  create_linear(name, 0, 2048);
  backend().load(name, linear(1, 1024));
  error_of(ErrorKind::InvalidTable, [&] {
    backend().load(name, {line(0, 1024, "zero", ""), line(2048, 1024, "zero", "")});
  });
  EXPECT_TRUE(backend().info(name)->inactive_table);
  backend().resume(name);
  EXPECT_EQ(backend().table(name), linear(1, 1024));
}

}  // namespace mapperd::contract
