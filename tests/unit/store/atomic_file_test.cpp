// Crash-safe files: a write leaves the old contents or the new, a failure says which file and
// why, and leftovers of an interrupted write are cleared away.
#include "store/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "model/error.h"
#include "store_test_support.h"

namespace mapperd::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ScratchDirectory;

class AnAtomicWrite : public ::testing::Test {
 protected:
  ScratchDirectory scratch_;
};

TEST_F(AnAtomicWrite, WritesTheTextAndLeavesNoTemporaryFile) {
  write_file_atomically(scratch_ / "a.json", "{}\n");
  EXPECT_EQ(scratch_.read("a.json"), "{}\n");
  EXPECT_THAT(scratch_.names_in("."), ElementsAre("a.json"));
}

TEST_F(AnAtomicWrite, ReplacesTheOldContentsWhole) {
  write_file_atomically(scratch_ / "a.json", std::string(100000, 'x'));
  write_file_atomically(scratch_ / "a.json", "short\n");
  EXPECT_EQ(scratch_.read("a.json"), "short\n");
  EXPECT_THAT(scratch_.names_in("."), ElementsAre("a.json"));
}

TEST_F(AnAtomicWrite, MakesAFileOnlyRootMayRead) {
  // A definition holds its table as written, a passthrough crypt key included.
  write_file_atomically(scratch_ / "a.json", "{}\n");
  struct stat status {};
  ASSERT_EQ(::stat((scratch_ / "a.json").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
}

TEST_F(AnAtomicWrite, ThrowsAStoreErrorNamingThePathWhenItsDirectoryIsAFile) {
  scratch_.write("not-a-directory", "plain file");
  const std::filesystem::path target = scratch_ / "not-a-directory" / "a.json";
  try {
    write_file_atomically(target, "{}\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_EQ(e.error_number(), ENOTDIR);
    EXPECT_THAT(e.what(), HasSubstr(target.string()));
    EXPECT_THAT(e.what(), HasSubstr("ENOTDIR"));
  }
}

// Writing the temporary file fails half-way (the file size limit stands in for a full disk,
// which a test cannot make, and works as root, unlike permissions).
TEST_F(AnAtomicWrite, ThatFailsKeepsTheOldContentsAndRemovesItsTemporaryFile) {
  write_file_atomically(scratch_ / "a.json", "old contents\n");

  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  // Past the limit write(2) fails with EFBIG instead of killing the process with SIGXFSZ.
  const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 1000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  int error_number = 0;
  std::string message;
  try {
    write_file_atomically(scratch_ / "a.json", std::string(5000, 'n'));
  } catch (const Error& e) {
    error_number = e.error_number();
    message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Store);
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);

  EXPECT_EQ(error_number, EFBIG);
  EXPECT_THAT(message, HasSubstr((scratch_ / "a.json").string()));
  EXPECT_THAT(message, HasSubstr("write the temporary file"));
  EXPECT_EQ(scratch_.read("a.json"), "old contents\n");
  EXPECT_THAT(scratch_.names_in("."), ElementsAre("a.json"));
}

TEST(ATemporaryFileName, IsADotFileEndingInTmpAndSixCharacters) {
  EXPECT_EQ(temporary_file_prefix("/etc/mapperd/maps/a.json"), ".a.json.tmp-");
  EXPECT_TRUE(is_temporary_file_name(".a.json.tmp-Ab12Cd"));
  EXPECT_FALSE(is_temporary_file_name("a.json.tmp-Ab12Cd"));
  EXPECT_FALSE(is_temporary_file_name(".a.json.tmp-Ab12C"));
  EXPECT_FALSE(is_temporary_file_name(".a.json"));
  EXPECT_FALSE(is_temporary_file_name(".tmp-Ab12Cd"));
}

TEST(AReadFile, ReturnsTheWholeFile) {
  ScratchDirectory scratch;
  const std::string text(200000, 'r');
  scratch.write("a.json", text);
  EXPECT_EQ(read_file(scratch / "a.json"), text);
}

TEST(AReadFile, OfAMissingFileThrowsAStoreErrorNamingIt) {
  ScratchDirectory scratch;
  try {
    read_file(scratch / "missing.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_EQ(e.error_number(), ENOENT);
    EXPECT_THAT(e.what(), HasSubstr((scratch / "missing.json").string()));
  }
}

TEST(AReadFile, RefusesADirectoryAndAFileTooLargeToBeOurs) {
  ScratchDirectory scratch;
  std::filesystem::create_directory(scratch / "dir.json");
  EXPECT_THROW(read_file(scratch / "dir.json"), Error);
  scratch.write("big.json", "");
  std::filesystem::resize_file(scratch / "big.json", kMaxStateFileBytes + 1);
  try {
    read_file(scratch / "big.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_THAT(e.what(), HasSubstr("at most"));
  }
}

TEST(ARemoveFile, OfAnAbsentFileDoesNothing) {
  ScratchDirectory scratch;
  EXPECT_FALSE(remove_file(scratch / "absent.json"));
  EXPECT_FALSE(remove_file(scratch / "no-such-directory" / "absent.json"));
}

TEST(ARemoveFile, RemovesThePresentOne) {
  ScratchDirectory scratch;
  scratch.write("a.json", "{}");
  EXPECT_TRUE(remove_file(scratch / "a.json"));
  EXPECT_FALSE(scratch.has("a.json"));
}

TEST(ARemoveFile, ThatFailsThrowsAStoreError) {
  ScratchDirectory scratch;
  std::filesystem::create_directories(scratch / "a.json" / "inside");
  try {
    remove_file(scratch / "a.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_THAT(e.what(), HasSubstr((scratch / "a.json").string()));
  }
}

TEST(EnsureDirectory, MakesEveryMissingParent) {
  ScratchDirectory scratch;
  ensure_directory(scratch / "etc" / "mapperd" / "maps");
  EXPECT_TRUE(std::filesystem::is_directory(scratch / "etc" / "mapperd" / "maps"));
  ensure_directory(scratch / "etc" / "mapperd" / "maps");  // there already: nothing to do
}

TEST(EnsureDirectory, ThrowsAStoreErrorWhenAFileIsInTheWay) {
  ScratchDirectory scratch;
  scratch.write("mapperd", "a file");
  try {
    ensure_directory(scratch / "mapperd" / "maps");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_THAT(e.what(), HasSubstr((scratch / "mapperd").string()));
  }
}

TEST(StateFilesIn, ListsTheJsonFilesSortedAndClearsLeftoverTemporaryFiles) {
  ScratchDirectory scratch;
  scratch.write("b.json", "{}");
  scratch.write("a.json", "{}");
  scratch.write(".a.json.tmp-Ab12Cd", "{\"half");
  scratch.write("notes.txt", "mine");
  scratch.write("a.json~", "an editor's backup");
  scratch.write(".hidden.json", "{}");
  std::filesystem::create_directory(scratch / "dir.json");
  EXPECT_THAT(state_files_in(scratch.path()), ElementsAre(scratch / "a.json", scratch / "b.json"));
  EXPECT_THAT(scratch.names_in("."),
              ElementsAre(".hidden.json", "a.json", "a.json~", "b.json", "dir.json", "notes.txt"));
}

TEST(StateFilesIn, AMissingDirectoryHasNone) {
  ScratchDirectory scratch;
  EXPECT_THAT(state_files_in(scratch / "missing"), IsEmpty());
}

TEST(StateFilesIn, ThrowsAStoreErrorWhenTheDirectoryIsAFile) {
  ScratchDirectory scratch;
  scratch.write("maps", "a file");
  EXPECT_THROW(state_files_in(scratch / "maps"), Error);
}

}  // namespace
}  // namespace mapperd::store
