// The persistence face of mapperd's D-Bus API on a private bus, over the fake kernel, fake loop
// devices and real definition files in a temporary directory: Loop objects and their signals,
// AttachLoop with a passed descriptor, AttachLoopFile for root only, ListDefinitions, and a
// pending map's MissingDevices as its devices appear.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>

#include "bus/method_call.h"
#include "bus_client.h"
#include "mapperd_on_private_bus.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr const char* kInvalidArgument = "org.mapperd.Mapper1.Error.InvalidArgument";
constexpr const char* kBusy = "org.mapperd.Mapper1.Error.Busy";

const std::vector<std::string> kEveryLoopProperty = {
    "BackingFile", "CreatedByUID", "Device", "DeviceNumber", "Inode",
    "Offset",      "Persistent",   "ReadOnly", "Size",       "Warnings"};

using Definitions = std::vector<sdbus::Struct<std::string, std::string, std::string>>;

class MapperdWithStorage : public ::testing::Test {
 protected:
  explicit MapperdWithStorage(PrivateBus::Callers callers = PrivateBus::Callers::TestUser)
      : bus_(callers),
        mapperd_(bus_.address(), MapperdOnPrivateBus::Storage::On),
        client_(bus_.address()) {}

  ~MapperdWithStorage() override {
    for (const std::string& file : files_)
      std::filesystem::remove(file);
  }

  // A file on disk (to open and pass) and the same path in the fake loop devices; returns its
  // path, and the fake's inode for it in `inode`.
  std::string make_file(std::uint64_t* inode = nullptr) {
    char pattern[] = "/tmp/mapperd-bus-loop-XXXXXX";
    const int fd = ::mkstemp(pattern);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, 4096 * 512), 0);
    ::close(fd);
    files_.emplace_back(pattern);
    std::promise<std::uint64_t> made;
    mapperd_.on_loops([path = files_.back(), &made](FakeLoopDevices& loops) {
      made.set_value(loops.add_file(path, 4096 * 512));
    });
    const std::uint64_t fake_inode = made.get_future().get();
    if (inode != nullptr)
      *inode = fake_inode;
    return files_.back();
  }

  // Attaches a loop to `file` opened with `flags`, as mapperctl does.
  sdbus::ObjectPath attach(const std::string& file, const Properties& options = {},
                           int flags = O_RDWR) {
    const int fd = ::open(file.c_str(), flags | O_CLOEXEC);
    EXPECT_GE(fd, 0) << file;
    try {
      sdbus::ObjectPath path = client_.attach_loop(fd, options);
      ::close(fd);
      return path;
    } catch (...) {
      ::close(fd);
      throw;
    }
  }

  std::string error_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const sdbus::Error& e) {
      return e.getName();
    }
    ADD_FAILURE() << "the call succeeded";
    return "";
  }

  // Waits (10 s at most) for a PropertiesChanged of `path` that has `property`: the first such
  // signal, nothing when none came; `signals` gets every signal seen meanwhile.
  std::optional<RecordedSignal> wait_for_change(const sdbus::ObjectPath& path,
                                                const std::string& property,
                                                std::vector<RecordedSignal>& signals) {
    const auto is_change = [&](const RecordedSignal& s) {
      return s.member == "PropertiesChanged" && s.path == path && s.changed.count(property);
    };
    signals = client_.wait_for_signal(is_change);
    const auto change = std::find_if(signals.begin(), signals.end(), is_change);
    if (change == signals.end())
      return std::nullopt;
    return *change;
  }

  std::size_t loop_objects() {
    std::size_t count = 0;
    for (const auto& [path, interfaces] : client_.managed_objects())
      count += interfaces.count(kLoopInterface);
    return count;
  }

  PrivateBus bus_;
  MapperdOnPrivateBus mapperd_;
  BusClient client_;
  std::vector<std::string> files_;
};

TEST_F(MapperdWithStorage, AttachesALoopToThePassedFileAndAnnouncesItWithEveryProperty) {
  std::uint64_t inode = 0;
  const std::string file = make_file(&inode);
  const sdbus::ObjectPath path = attach(file);
  EXPECT_EQ(path, "/org/mapperd/Mapper1/loop/0");

  const auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].member, "InterfacesAdded");
  EXPECT_EQ(signals[0].path, path);
  ASSERT_TRUE(signals[0].added.count(kLoopInterface));
  const Properties& loop = signals[0].added.at(kLoopInterface);
  EXPECT_EQ(keys_of(loop), kEveryLoopProperty);
  EXPECT_EQ(loop.at("BackingFile").get<std::string>(), file);
  EXPECT_EQ(loop.at("Device").get<std::string>(), "/dev/loop0");
  EXPECT_EQ(loop.at("DeviceNumber").get<uint64_t>(), makedev(7, 0));
  EXPECT_EQ(loop.at("Offset").get<uint64_t>(), 0u);
  EXPECT_EQ(loop.at("Size").get<uint64_t>(), 0u);
  EXPECT_FALSE(loop.at("ReadOnly").get<bool>());
  EXPECT_TRUE(loop.at("Persistent").get<bool>());
  EXPECT_EQ(loop.at("Inode").get<uint64_t>(), inode);
  EXPECT_EQ(loop.at("CreatedByUID").get<uint32_t>(), getuid());
  EXPECT_EQ(client_.get_all(path, kLoopInterface).size(), kEveryLoopProperty.size());
}

// The test's files are in /tmp, which a reboot empties: a persistent loop on one is attached
// (not refused), with a warning on the bus and in the journal.
TEST_F(MapperdWithStorage, WarnsThatAPersistentLoopOnAFileInTmpWillNotComeBackAtBoot) {
  const std::string file = make_file();
  const sdbus::ObjectPath path = attach(file);
  const auto warnings =
      client_.get_all(path, kLoopInterface).at("Warnings").get<std::vector<std::string>>();
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr(file + " is in /tmp"));
  EXPECT_THAT(warnings[0], HasSubstr("will not be attached again at the next boot"));
  EXPECT_THAT(mapperd_.logged(),
              Contains(AllOf(HasSubstr("AttachLoop: /dev/loop0: " + file + " is in /tmp"),
                             HasSubstr("MAPPERD_LOOP=/dev/loop0"))));
}

TEST_F(MapperdWithStorage, DoesNotWarnALoopThatIsNotPersistent) {
  const sdbus::ObjectPath path = attach(make_file(), {{"persistent", sdbus::Variant(false)}});
  EXPECT_THAT(
      client_.get_all(path, kLoopInterface).at("Warnings").get<std::vector<std::string>>(),
      IsEmpty());
  for (const std::string& line : mapperd_.logged())
    EXPECT_THAT(line, Not(HasSubstr("is in /tmp")));
}

TEST_F(MapperdWithStorage, AppliesTheLoopOptionsInBytes) {
  const std::string file = make_file();
  const sdbus::ObjectPath path = attach(file,
                                        {{"offset", sdbus::Variant(uint64_t{4096})},
                                         {"size", sdbus::Variant(uint64_t{1 << 20})},
                                         {"read-only", sdbus::Variant(true)},
                                         {"persistent", sdbus::Variant(false)},
                                         {"auth.no_user_interaction", sdbus::Variant(true)}},
                                        O_RDONLY);
  const Properties loop = client_.get_all(path, kLoopInterface);
  EXPECT_EQ(loop.at("Offset").get<uint64_t>(), 4096u);
  EXPECT_EQ(loop.at("Size").get<uint64_t>(), 1u << 20);
  EXPECT_TRUE(loop.at("ReadOnly").get<bool>());
  EXPECT_FALSE(loop.at("Persistent").get<bool>());
}

TEST_F(MapperdWithStorage, RefusesAWritableLoopOnAFileOpenedForReadingOnly) {
  const std::string file = make_file();
  EXPECT_EQ(error_of([&] { attach(file, {}, O_RDONLY); }), kInvalidArgument);
  EXPECT_THAT(client_.take_signals(), IsEmpty());
  EXPECT_EQ(loop_objects(), 0u);
}

TEST_F(MapperdWithStorage, ListsItsLoopsInGetManagedObjects) {
  const sdbus::ObjectPath first = attach(make_file());
  const sdbus::ObjectPath second = attach(make_file());
  EXPECT_EQ(second, loop_path(1));
  const auto objects = client_.managed_objects();
  ASSERT_TRUE(objects.count(first));
  ASSERT_TRUE(objects.count(second));
  EXPECT_EQ(keys_of(objects.at(second).at(kLoopInterface)), kEveryLoopProperty);
  EXPECT_EQ(objects.at(second).at(kLoopInterface).at("Device").get<std::string>(), "/dev/loop1");
}

TEST_F(MapperdWithStorage, DetachesALoopAndRemovesItsObjectBeforeItReplies) {
  const sdbus::ObjectPath path = attach(make_file());
  client_.take_signals();
  client_.detach_loop(path);
  const auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].member, "InterfacesRemoved");
  EXPECT_EQ(signals[0].path, path);
  EXPECT_THAT(signals[0].removed, Contains(kLoopInterface));
  EXPECT_EQ(loop_objects(), 0u);
  // The number is free again, and its new object is a new one.
  EXPECT_EQ(attach(make_file()), path);
}

TEST_F(MapperdWithStorage, KeepsALoopAMapUsesAttached) {
  const sdbus::ObjectPath path = attach(make_file());
  client_.create_map("onloop", "0 4096 linear /dev/loop0 0\n");
  client_.take_signals();
  EXPECT_EQ(error_of([&] { client_.detach_loop(path); }), kBusy);
  EXPECT_THAT(client_.take_signals(), IsEmpty());
  EXPECT_EQ(loop_objects(), 1u);
}

TEST_F(MapperdWithStorage, KeepsTheDefinitionOfADetachedLoopOnlyIfItHasOne) {
  const sdbus::ObjectPath transient = attach(make_file(), {{"persistent", sdbus::Variant(false)}});
  EXPECT_EQ(error_of([&] {
              client_.detach_loop(transient, {{"keep-definition", sdbus::Variant(true)}});
            }),
            kInvalidArgument);
  const sdbus::ObjectPath stored = attach(make_file());
  client_.detach_loop(stored, {{"keep-definition", sdbus::Variant(true)}});
  EXPECT_EQ(loop_objects(), 1u);
}

TEST_F(MapperdWithStorage, AttachesAFileByPathForRoot) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "AttachLoopFile is root's";
  const std::string file = make_file();
  const sdbus::ObjectPath path =
      client_.attach_loop_file(file, {{"read-only", sdbus::Variant(true)}});
  EXPECT_EQ(client_.get(path, kLoopInterface, "BackingFile").get<std::string>(), file);
  EXPECT_TRUE(client_.get(path, kLoopInterface, "ReadOnly").get<bool>());
}

TEST_F(MapperdWithStorage, RefusesUnknownLoopOptionsAndWrongTypesWithInvalidArgument) {
  const std::string file = make_file();
  EXPECT_EQ(error_of([&] { attach(file, {{"colour", sdbus::Variant(true)}}); }), kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              attach(file, {{"offset", sdbus::Variant(std::string("4K"))}});
            }),
            kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              attach(file, {{"size", sdbus::Variant(int32_t{4096})}});
            }),
            kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              attach(file, {{"read-only", sdbus::Variant(uint64_t{1})}});
            }),
            kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              client_.attach_loop_file(file, {{"persistent", sdbus::Variant(std::string("no"))}});
            }),
            kInvalidArgument);
  EXPECT_EQ(loop_objects(), 0u);

  const sdbus::ObjectPath path = attach(file);
  EXPECT_EQ(error_of([&] {
              client_.detach_loop(path, {{"force", sdbus::Variant(true)}});
            }),
            kInvalidArgument);
  EXPECT_EQ(error_of([&] {
              client_.detach_loop(path, {{"keep-definition", sdbus::Variant(std::string("y"))}});
            }),
            kInvalidArgument);
  EXPECT_EQ(loop_objects(), 1u);
}

TEST_F(MapperdWithStorage, AnswersForALoopItDidNotAttachThatThereIsNone) {
  // No object: mapperctl turns this into "mapperd has no loop device /dev/loop7" (exit 3).
  EXPECT_EQ(error_of([&] { client_.detach_loop(loop_path(7)); }),
            "org.freedesktop.DBus.Error.UnknownObject");
}

TEST_F(MapperdWithStorage, RefusesTheNewOptionsOfCreateAndRemoveWhenMistyped) {
  EXPECT_EQ(error_of([&] {
              client_.create_map("x", "0 8 zero\n",
                                 {{"wait-for-devices", sdbus::Variant(std::string("yes"))}});
            }),
            kInvalidArgument);
  client_.create_map("m", "0 8 zero\n");
  EXPECT_EQ(error_of([&] {
              client_.map_call("m", "Remove", {{"keep-definition", sdbus::Variant(uint64_t{1})}});
            }),
            kInvalidArgument);
  EXPECT_EQ(client_.get(map_path("m"), kMapInterface, "State").get<std::string>(), "active");
}

TEST_F(MapperdWithStorage, ListsStoredDefinitionsAsNameStateAndReason) {
  EXPECT_THAT(client_.list_definitions(), IsEmpty());
  client_.create_map("kept", "0 4096 linear /dev/sdb 0\n");
  client_.create_map("scratch", "0 4096 linear /dev/sdc 0\n",
                     {{"persistent", sdbus::Variant(false)}});
  EXPECT_FALSE(client_.get(map_path("scratch"), kMapInterface, "Persistent").get<bool>());
  Definitions definitions = client_.list_definitions();
  ASSERT_THAT(definitions, SizeIs(1)) << "a map that is not persistent is not stored";
  EXPECT_EQ(std::get<0>(definitions[0]), "kept");
  EXPECT_EQ(std::get<1>(definitions[0]), "active");
  EXPECT_EQ(std::get<2>(definitions[0]), "");

  client_.take_signals();
  client_.map_call("kept", "Remove", {{"keep-definition", sdbus::Variant(true)}});
  EXPECT_THAT(members_of(client_.take_signals()),
              ElementsAre("InterfacesRemoved " + map_path("kept")));
  definitions = client_.list_definitions();
  ASSERT_THAT(definitions, SizeIs(1));
  EXPECT_EQ(std::get<0>(definitions[0]), "kept");
  EXPECT_NE(std::get<1>(definitions[0]), "active");
  EXPECT_NE(std::get<2>(definitions[0]), "") << "a definition that is not active says why";
}

TEST_F(MapperdWithStorage, ShowsAPendingMapsMissingDevicesAndAnnouncesWhenItComesUp) {
  const sdbus::ObjectPath path =
      client_.create_map("late", "0 4096 linear /dev/disk/by-id/usb-LATE 0\n",
                         {{"wait-for-devices", sdbus::Variant(true)}});
  auto signals = client_.take_signals();
  ASSERT_THAT(signals, SizeIs(1));
  ASSERT_EQ(signals[0].member, "InterfacesAdded");
  const Properties& pending = signals[0].added.at(kMapInterface);
  EXPECT_EQ(pending.at("State").get<std::string>(), "pending");
  EXPECT_THAT(pending.at("MissingDevices").get<std::vector<std::string>>(),
              ElementsAre(HasSubstr("/dev/disk/by-id/usb-LATE")));
  Definitions definitions = client_.list_definitions();
  ASSERT_THAT(definitions, SizeIs(1));
  EXPECT_EQ(std::get<1>(definitions[0]), "pending");
  EXPECT_THAT(std::get<2>(definitions[0]), HasSubstr("usb-LATE"));

  // The disk appears; udev would tell the daemon.
  mapperd_.plug_disk(DeviceNumber{8, 80}, Sectors(4096), "/dev/sdf", "/dev/disk/by-id/usb-LATE");
  mapperd_.request_restore();
  const std::optional<RecordedSignal> change = wait_for_change(path, "State", signals);
  ASSERT_TRUE(change) << "no PropertiesChanged for the map within 10 s";
  EXPECT_EQ(change->changed_interface, kMapInterface);
  EXPECT_EQ(change->changed.at("State").get<std::string>(), "active");
  ASSERT_TRUE(change->changed.count("MissingDevices"));
  EXPECT_THAT(change->changed.at("MissingDevices").get<std::vector<std::string>>(), IsEmpty());
  EXPECT_EQ(client_.get(path, kMapInterface, "Table").get<std::string>(), "0 4096 linear 8:80 0\n");
  definitions = client_.list_definitions();
  ASSERT_THAT(definitions, SizeIs(1));
  EXPECT_EQ(std::get<1>(definitions[0]), "active");
}

TEST_F(MapperdWithStorage, ShowsAStoredMapThatIsNotRunningWithItsCryptKeyMasked) {
  const std::string key(64, 'd');
  const std::string masked = "0 4096 crypt aes-xts-plain64 " + std::string(64, '0') + " 0 8:16 0\n";
  const sdbus::ObjectPath path =
      client_.create_map("secret", "0 4096 crypt aes-xts-plain64 " + key + " 0 8:16 0\n");
  EXPECT_EQ(client_.get(path, kMapInterface, "Table").get<std::string>(), masked);
  // The map goes from the kernel behind mapperd's back and cannot be made again: the object
  // shows the stored definition.
  mapperd_.on_kernel([](FakeKernelBackend& kernel) {
    kernel.remove("secret");
    kernel.fail_next("create", Error(ErrorKind::Kernel, "create secret: EIO: no"));
  });
  // udev's remove event, then the restore pass a device event brings.
  mapperd_.device_mapper_event("secret");
  mapperd_.request_restore();
  std::vector<RecordedSignal> signals;
  const std::optional<RecordedSignal> change = wait_for_change(path, "State", signals);
  ASSERT_TRUE(change) << "no PropertiesChanged for the map within 10 s";
  EXPECT_EQ(change->changed.at("State").get<std::string>(), "pending");
  EXPECT_EQ(client_.get(path, kMapInterface, "Table").get<std::string>(), masked);
  for (const RecordedSignal& signal : signals) {
    if (signal.changed.count("Table")) {
      EXPECT_EQ(signal.changed.at("Table").get<std::string>(), masked);
    }
  }
}

TEST_F(MapperdWithStorage, AnnouncesTheDevicesAnActiveMapLostAndRemovesNothing) {
  const sdbus::ObjectPath path = client_.create_map("ondisk", "0 4096 linear /dev/sdc 0\n");
  EXPECT_THAT(client_.get(path, kMapInterface, "MissingDevices").get<std::vector<std::string>>(),
              IsEmpty());
  client_.take_signals();

  // The disk goes; udev would tell the daemon.
  mapperd_.unplug_disk(DeviceNumber{8, 32});
  mapperd_.request_restore();
  std::vector<RecordedSignal> signals;
  const std::optional<RecordedSignal> change = wait_for_change(path, "MissingDevices", signals);
  ASSERT_TRUE(change) << "no PropertiesChanged with MissingDevices within 10 s";
  EXPECT_EQ(change->changed_interface, kMapInterface);
  EXPECT_THAT(change->changed.at("MissingDevices").get<std::vector<std::string>>(),
              ElementsAre("8:32"));
  EXPECT_EQ(change->changed.at("State").get<std::string>(), "degraded");
  for (const RecordedSignal& s : signals)
    EXPECT_NE(s.member, "InterfacesRemoved") << s.path;
  EXPECT_TRUE(client_.managed_objects().count(path));
}

// A caller that is not root, on a bus that lets other users connect.
class MapperdWithStorageForAnyUser : public MapperdWithStorage {
 protected:
  MapperdWithStorageForAnyUser() : MapperdWithStorage(PrivateBus::Callers::AnyUser) {}

  // bus-call-as-user's output, read as it comes.
  FILE* call_as(uid_t uid, const std::string& arguments) {
    const std::string command = std::string(MAPPERD_CALL_AS_USER) + " " + std::to_string(uid) +
                                " '" + bus_.address() + "' " + arguments + " 2>&1";
    return ::popen(command.c_str(), "r");
  }
  static std::string next_line(FILE* out) {
    char buffer[1024];
    return std::fgets(buffer, sizeof buffer, out) != nullptr ? buffer : "(end of output)";
  }

  // What AttachLoopFile(`file`) answers the user `uid`: the object path, or "ERROR: MESSAGE";
  // and whether it succeeded.
  std::pair<std::string, bool> attach_file_as(uid_t uid, const std::string& file) {
    FILE* out = call_as(uid, "'" + file + "'");
    if (out == nullptr)
      return {"cannot run " MAPPERD_CALL_AS_USER, false};
    std::string text;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, out) != nullptr)
      text += buffer;
    return {text, ::pclose(out) == 0};
  }
};

TEST_F(MapperdWithStorageForAnyUser, RefusesAttachLoopFileToAnyoneButRoot) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root, to call as another user";
  const std::string file = make_file();
  const auto [refusal, refused_ok] = attach_file_as(65534, file);
  EXPECT_FALSE(refused_ok);
  EXPECT_EQ(refusal,
            "org.freedesktop.DBus.Error.AccessDenied: only root may call AttachLoopFile; others "
            "open the file themselves and pass it with AttachLoop\n");
  EXPECT_EQ(loop_objects(), 0u);
  // The same call from root is answered: the refusal was for the caller.
  const auto [answer, answered] = attach_file_as(0, file);
  EXPECT_TRUE(answered) << answer;
  EXPECT_EQ(answer, "/org/mapperd/Mapper1/loop/0\n");
  EXPECT_EQ(loop_objects(), 1u);
}

TEST_F(MapperdWithStorageForAnyUser, BoundsTheStatusReadsAUserHasWaitingForTheKernel) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root, to call as another user";
  client_.create_map("watched", "0 8 zero\n");
  std::mutex gate;
  gate.lock();
  mapperd_.on_kernel([&gate](FakeKernelBackend&) { std::lock_guard hold(gate); });
  const std::size_t bound = bus::kStatusReadsPerUser;
  FILE* out =
      call_as(65534, "--status /org/mapperd/Mapper1/map/watched " + std::to_string(bound + 1));
  if (out == nullptr) {
    gate.unlock();
    FAIL() << "cannot run " MAPPERD_CALL_AS_USER;
  }
  // The call past the bound is refused at once, while the others wait for the kernel.
  const std::string refusal = next_line(out);
  gate.unlock();
  EXPECT_THAT(refusal, StartsWith("org.mapperd.Mapper1.Error.Busy: GetStatus watched: :1."));
  EXPECT_THAT(refusal, HasSubstr(" (uid 65534) has " + std::to_string(bound) +
                                 " status reads waiting for the kernel already"));
  for (std::size_t i = 0; i < bound; ++i)
    EXPECT_EQ(next_line(out), "ok\n") << "reply " << i;
  EXPECT_EQ(::pclose(out), 0);
  // Answered, the slots are free again.
  out = call_as(65534, "--status /org/mapperd/Mapper1/map/watched " + std::to_string(bound));
  ASSERT_NE(out, nullptr);
  for (std::size_t i = 0; i < bound; ++i)
    EXPECT_EQ(next_line(out), "ok\n") << "reply " << i;
  EXPECT_EQ(::pclose(out), 0);
}

}  // namespace
}  // namespace mapperd::testing
