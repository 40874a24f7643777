// The verbs for loop devices and stored definitions, and the persistence options of create and
// remove, as whole command lines against an in-memory mapperd.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mapperctl_fixture.h"
#include "verb_support.h"

namespace mapperctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Mapperctl;
using testing::Result;

// A backing file of its own for each test, removed after it.
class MapperctlWithAFile : public Mapperctl {
 protected:
  MapperctlWithAFile() {
    char pattern[] = "/tmp/mapperctl-loop-XXXXXX";
    const int fd = ::mkstemp(pattern);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, 1 << 20), 0);
    ::close(fd);
    file_ = pattern;
  }
  ~MapperctlWithAFile() override { std::filesystem::remove(file_); }

  std::uint64_t inode() const {
    struct stat status {};
    EXPECT_EQ(::stat(file_.c_str(), &status), 0);
    return status.st_ino;
  }

  std::string file_;
};

LoopInfo loop(std::uint32_t index, std::string file) {
  LoopInfo info;
  info.index = index;
  info.device_path = "/dev/loop" + std::to_string(index);
  info.major = 7;
  info.minor = index;
  info.backing_file = std::move(file);
  return info;
}

TEST_F(MapperctlWithAFile, AttachesALoopToTheFileItOpensReadWriteAndPrintsItsDevice) {
  const Result result = run({"loop", "attach", file_});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "/dev/loop0\n");
  EXPECT_THAT(mapperd_.calls, ElementsAre("loop attach"));
  ASSERT_EQ(mapperd_.attached.size(), 1u);
  const testing::AttachedFile& sent = mapperd_.attached[0];
  EXPECT_FALSE(sent.by_path);
  EXPECT_EQ(sent.path, file_);
  EXPECT_EQ(sent.inode, inode());
  EXPECT_EQ(sent.access_mode, O_RDWR);
  EXPECT_TRUE(sent.close_on_exec);
  EXPECT_EQ(sent.options, LoopOptions{});
  EXPECT_TRUE(sent.options.persistent);
}

TEST_F(MapperctlWithAFile, OpensTheFileForReadingOnlyForAReadOnlyLoop) {
  ::chmod(file_.c_str(), 0444);
  const Result result = run({"loop", "attach", "-r", file_});
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.attached.size(), 1u);
  EXPECT_EQ(mapperd_.attached[0].access_mode, O_RDONLY);
  EXPECT_TRUE(mapperd_.attached[0].options.read_only);
}

TEST_F(MapperctlWithAFile, SendsTheOffsetAndSizeInBytesAndWhetherToKeepTheLoop) {
  const Result result =
      run({"loop", "attach", file_, "--offset", "1M", "--size=4096", "--not-persistent"});
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.attached.size(), 1u);
  EXPECT_EQ(mapperd_.attached[0].options,
            (LoopOptions{.offset = 1 << 20, .size_limit = 4096, .persistent = false}));
}

TEST_F(MapperctlWithAFile, RefusesASizeItCannotReadBeforeOpeningAnything) {
  for (const char* size : {"1Q", "-1", "", "1.5M", "99999999999999999999"}) {
    const Result result = run({"loop", "attach", file_, "--size", size});
    EXPECT_EQ(result.status, 2) << size;
    EXPECT_THAT(result.err, HasSubstr("--size")) << size;
  }
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(Mapperctl, SaysAFileToAttachIsNotThereWithExitStatusThreeAndAsksNothing) {
  const Result result = run({"loop", "attach", "/nonexistent/disk.img"});
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.err,
            "mapperctl: loop attach /nonexistent/disk.img: cannot open /nonexistent/disk.img for "
            "reading and writing: No such file or directory\n");
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(Mapperctl, CannotAttachALoopToADirectory) {
  const Result result = run({"loop", "attach", "/tmp"});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot open /tmp for reading and writing: Is a directory"));
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST(AnOpenFailure, IsPermissionDeniedWhenTheUserMayNotOpenTheFileAsAsked) {
  // As a test running as root cannot be refused, the errno is given.
  const CommandError denied = open_failure("/srv/a.img", false, EACCES);
  EXPECT_EQ(denied.status(), ExitStatus::AccessDenied);
  EXPECT_EQ(std::string(denied.what()),
            "cannot open /srv/a.img for reading and writing: Permission denied (with --read-only "
            "it is opened for reading only)");
  EXPECT_EQ(open_failure("/srv/a.img", false, EROFS).status(), ExitStatus::AccessDenied);
  const CommandError read_denied = open_failure("/srv/a.img", true, EACCES);
  EXPECT_EQ(read_denied.status(), ExitStatus::AccessDenied);
  EXPECT_THAT(read_denied.what(), ::testing::Not(HasSubstr("--read-only")));
}

TEST(AnOpenFailure, IsNotFoundForAFileThatIsNotThereAndFailedOtherwise) {
  EXPECT_EQ(open_failure("/a/b", false, ENOTDIR).status(), ExitStatus::NotFound);
  EXPECT_EQ(open_failure("/a", false, ELOOP).status(), ExitStatus::Failed);
}

TEST_F(Mapperctl, AsksMapperdToOpenTheFileItselfOnAnotherMachine) {
  // The file is on the other machine: nothing is opened here.
  const Result result = run({"-H", "root@box", "loop", "attach", "/srv/disk.img", "-r"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "/dev/loop0\n");
  EXPECT_THAT(mapperd_.calls, ElementsAre("loop attach-file /srv/disk.img"));
  EXPECT_TRUE(mapperd_.attached[0].options.read_only);
}

TEST_F(Mapperctl, WantsAnAbsolutePathOnAnotherMachine) {
  const Result result = run({"loop", "attach", "disk.img", "-H", "box"});
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.err, HasSubstr("absolute path"));
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(MapperctlWithAFile, PrintsTheAttachedLoopAsJson) {
  const Result result = run({"loop", "attach", file_, "--json", "-o", "512"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, R"({"device_path":"/dev/loop0","index":0,"major":7,"minor":0,)"
                        R"("backing_file":")" +
                            file_ +
                            R"(","offset":512,"size_limit":0,"read_only":false,)"
                            R"("persistent":true,"inode":)" +
                            std::to_string(inode()) +
                            R"(,"created_by_uid":0,"warnings":[],)"
                            R"("object_path":"/org/mapperd/Mapper1/loop/0"})"
                            "\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(MapperctlWithAFile, PrintsMapperdsWarningsOnStderrAndInItsJson) {
  mapperd_.attach_warnings = {"/tmp/x is in /tmp, which does not keep its files"};
  const Result text = run({"loop", "attach", file_});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(text.out, "/dev/loop0\n");
  EXPECT_EQ(text.err, "mapperctl: loop attach " + file_ +
                          ": warning: /tmp/x is in /tmp, which does not keep its files\n");
  const Result json = run({"loop", "attach", file_, "--json"});
  EXPECT_EQ(json.status, 0) << json.err;
  EXPECT_THAT(json.out,
              HasSubstr(R"("warnings":["/tmp/x is in /tmp, which does not keep its files"],)"));
  EXPECT_EQ(json.err, text.err);
}

TEST_F(Mapperctl, DetachesLoopsNamedAnyOfThreeWays) {
  for (std::uint32_t index : {1u, 2u, 3u})
    mapperd_.loops[index] = loop(index, "/srv/" + std::to_string(index));
  const Result result = run({"loop", "detach", "/dev/loop1", "loop2", "3", "--keep-definition"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(mapperd_.calls, ElementsAre("loop detach 1", "loop detach 2", "loop detach 3"));
  EXPECT_EQ(mapperd_.last_detach_kept_definition, true);
  EXPECT_THAT(mapperd_.loops, IsEmpty());
}

TEST_F(Mapperctl, ForgetsADetachedLoopUnlessToldToKeepIt) {
  mapperd_.loops[4] = loop(4, "/srv/a");
  EXPECT_EQ(run({"loop", "detach", "loop4"}).status, 0);
  EXPECT_EQ(mapperd_.last_detach_kept_definition, false);
}

TEST_F(Mapperctl, RefusesANameThatIsNoLoopBeforeDetachingAnything) {
  mapperd_.loops[1] = loop(1, "/srv/a");
  for (const char* name : {"/dev/sda", "loop", "01", "-1", "loop1x", "/dev/loop/1"}) {
    const Result result = run({"loop", "detach", "1", name});
    EXPECT_EQ(result.status, 2) << name;
  }
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(Mapperctl, SaysWhichLoopMapperdDoesNotHave) {
  const Result result = run({"loop", "detach", "9"});
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.err,
            "mapperctl: loop detach /dev/loop9: mapperd has no loop device /dev/loop9\n");
}

TEST_F(Mapperctl, ListsLoopsAsLosetupDoes) {
  mapperd_.loops[0] = loop(0, "/var/tmp/disk one");
  mapperd_.loops[12] = loop(12, "/var/tmp/disk2");
  mapperd_.loops[12].offset = 4096;
  mapperd_.loops[12].size_limit = 1048576;
  mapperd_.loops[12].read_only = true;
  mapperd_.loops[12].persistent = false;
  const Result result = run({"loop", "ls"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "NAME         OFFSET  SIZELIMIT  RO   PERSISTENT  BACK-FILE\n"
            "/dev/loop0   0       0          no   yes         /var/tmp/disk one\n"
            "/dev/loop12  4096    1048576    yes  no          /var/tmp/disk2\n");
  EXPECT_EQ(run({"loop", "list"}).out, result.out);
}

TEST_F(Mapperctl, ListsLoopsAsAJsonArray) {
  EXPECT_EQ(run({"loop", "ls", "-j"}).out, "[]\n");
  EXPECT_EQ(run({"loop", "ls"}).out, "No loop devices attached by mapperd\n");
  mapperd_.loops[3] = loop(3, "/srv/a");
  EXPECT_EQ(run({"loop", "ls", "--json"}).out,
            R"([{"device_path":"/dev/loop3","index":3,"major":7,"minor":3,)"
            R"("backing_file":"/srv/a","offset":0,"size_limit":0,"read_only":false,)"
            R"("persistent":true,"inode":0,"created_by_uid":0,"warnings":[],)"
            R"("object_path":"/org/mapperd/Mapper1/loop/3"}])"
            "\n");
}

TEST_F(Mapperctl, ListsStoredDefinitionsWithTheirStateAndWhyTheyAreNotActive) {
  mapperd_.definitions = {{"base", "active", ""},
                          {"twoasone", "pending", "/dev/loop1 (file /srv/a.img)"},
                          {"broken", "failed", "EINVAL: table refused"}};
  const Result text = run({"definitions"});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(text.out,
            "NAME      STATE    REASON\n"
            "base      active   -\n"
            "twoasone  pending  /dev/loop1 (file /srv/a.img)\n"
            "broken    failed   EINVAL: table refused\n");
  EXPECT_EQ(run({"definitions", "--json"}).out,
            R"([{"name":"base","state":"active","reason":null},)"
            R"j({"name":"twoasone","state":"pending","reason":"/dev/loop1 (file /srv/a.img)"},)j"
            R"({"name":"broken","state":"failed","reason":"EINVAL: table refused"}])"
            "\n");
}

TEST_F(Mapperctl, SaysWhenNoDefinitionIsStored) {
  EXPECT_EQ(run({"definitions"}).out, "No stored definitions\n");
  EXPECT_EQ(run({"definitions", "-j"}).out, "[]\n");
}

TEST_F(Mapperctl, CreatesAMapThatWaitsForItsDevices) {
  const Result result = run({"create", "later", "--wait-for-devices", "--table", "0 8 zero"});
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.created.size(), 1u);
  EXPECT_TRUE(mapperd_.created[0].options.wait_for_devices);
  EXPECT_TRUE(mapperd_.created[0].options.persistent);
  EXPECT_EQ(run({"create", "now", "--table", "0 8 zero"}).status, 0);
  EXPECT_FALSE(mapperd_.created[1].options.wait_for_devices);
}

TEST_F(Mapperctl, CannotWaitForTheDevicesOfAMapItDoesNotStore) {
  const Result result =
      run({"create", "x", "--wait-for-devices", "--not-persistent", "--table", "0 8 zero"});
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.err, HasSubstr("--wait-for-devices needs a persistent map"));
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(Mapperctl, RemovesAMapButKeepsItsDefinitionWhenAsked) {
  mapperd_.add_map("a", 1, "");
  mapperd_.add_map("b", 2, "");
  EXPECT_EQ(run({"remove", "a", "--keep-definition"}).status, 0);
  EXPECT_TRUE(mapperd_.last_remove_options->keep_definition);
  EXPECT_EQ(run({"remove", "b"}).status, 0);
  EXPECT_FALSE(mapperd_.last_remove_options->keep_definition);
}

TEST_F(Mapperctl, ShowsWhetherEachMapIsRestoredAndWhatItIsMissing) {
  mapperd_.add_map("kept", 1, "");
  mapperd_.add_map("scratch", 2, "").persistent = false;
  MapInfo& lvm = mapperd_.add_map("vg-lv", 3, "");
  lvm.owned = false;
  lvm.uuid = "LVM-x";
  MapInfo& waiting = mapperd_.add_map("waiting", 0, "");
  waiting.major = 0;
  waiting.state = "pending";
  waiting.missing_devices = {"/dev/loop1 (file /srv/a.img)", "/dev/loop2 (file /srv/b.img)"};
  EXPECT_EQ(run({"ls"}).out,
            "kept\t(254:1)\tpersistent\n"
            "scratch\t(254:2)\ttransient\n"
            "vg-lv\t(254:3)\t-\n"
            "waiting\t(0:0)\tpersistent\tmissing: /dev/loop1 (file /srv/a.img), /dev/loop2 "
            "(file /srv/b.img)\n");
  EXPECT_THAT(run({"info", "waiting"}).out,
              HasSubstr("Missing:       /dev/loop1 (file /srv/a.img), /dev/loop2 (file "
                        "/srv/b.img)\n"));
  EXPECT_THAT(run({"info", "waiting", "--json"}).out, HasSubstr(R"("persistent":true,)"));
  EXPECT_THAT(run({"info", "waiting", "--json"}).out,
              HasSubstr(R"j("missing_devices":["/dev/loop1 (file /srv/a.img)",)j"
                        R"j("/dev/loop2 (file /srv/b.img)"],)j"));
  EXPECT_THAT(run({"info", "kept", "--json"}).out, HasSubstr(R"("missing_devices":[],)"));
}

TEST_F(Mapperctl, ShowsHelpForTheLoopVerbsWithoutMapperd) {
  for (const std::vector<std::string>& verb : {std::vector<std::string>{"loop", "attach"},
                                               {"loop", "detach"},
                                               {"loop", "ls"},
                                               {"loop", "list"},
                                               {"definitions"}}) {
    std::vector<std::string> with_option = verb;
    with_option.push_back("--help");
    const Result by_option = run(with_option);
    EXPECT_EQ(by_option.status, 0) << verb[0];
    EXPECT_THAT(by_option.out, HasSubstr("Usage: mapperctl [OPTIONS] " + verb[0]));
    std::vector<std::string> by_verb = {"help"};
    by_verb.insert(by_verb.end(), verb.begin(), verb.end());
    EXPECT_EQ(run(by_verb).out, by_option.out);
  }
  const Result group = run({"loop", "--help"});
  EXPECT_EQ(group.status, 0);
  EXPECT_THAT(group.out, HasSubstr("loop attach"));
  EXPECT_THAT(group.out, HasSubstr("loop ls, list"));
  EXPECT_EQ(run({"help", "loop"}).out, group.out);
  EXPECT_THAT(run({"--help"}).out, HasSubstr("  loop detach     detach loop devices\n"));
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

TEST_F(Mapperctl, NamesTheLoopVerbsWhenNoneOrAnUnknownOneIsGiven) {
  const Result none = run({"loop"});
  EXPECT_EQ(none.status, 2);
  EXPECT_EQ(none.err,
            "mapperctl: loop needs a verb: attach, detach, ls (see mapperctl help loop)\n");
  const Result unknown = run({"loop", "frob"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err, "mapperctl: no verb 'loop frob' (loop has attach, detach, ls)\n");
  EXPECT_EQ(run({"loop", "attach"}).status, 2);
  EXPECT_EQ(run({"loop", "ls", "extra"}).status, 2);
  EXPECT_EQ(run({"loop", "detach", "--offset", "1", "1"}).status, 2);
  EXPECT_EQ(run({"help", "loop", "frob"}).status, 2);
  EXPECT_THAT(mapperd_.calls, IsEmpty());
}

}  // namespace
}  // namespace mapperctl
