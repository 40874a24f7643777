// The verb table: names, usage, help and options. The help text here is what
// `mapperctl help VERB` prints; docs/man/mapperctl.1 says the same at more length.
#include "verbs.h"

namespace mapperctl {
namespace {

const OptionSpec kUuid{"uuid", 'u', "UUID", "the map's UUID (mapperd prefixes MAPPERD-)"};
const OptionSpec kReadOnly{"readonly", 'r', {}, "make the map read-only", "read-only"};
const OptionSpec kNotPersistent{"not-persistent", 0, {}, "do not restore the map after a reboot"};
const OptionSpec kTable{"table", 0, "TEXT", "the table itself instead of a file or stdin"};
const OptionSpec kWaitForDevices{
    "wait-for-devices", 0, {}, "store the map even if devices are missing; it comes up then"};
const OptionSpec kConcise{
    "concise", 0, {}, "read every map from FILE (or -) as dmsetup create --concise does"};
const OptionSpec kPartial{"partial", 0, {}, "with --concise: keep the maps that work"};
const OptionSpec kKeepDefinition{
    "keep-definition", 0, {}, "keep its stored definition: it comes back at next boot"};
// -o, as lsblk and losetup choose columns: "-o NAME,STATE".
OptionSpec output_option(std::string_view help) {
  return {"output", 'o', "COLUMNS", help};
}
const OptionSpec kDryRun{
    "dry-run", 'n', {}, "print the table and create nothing (no daemon needed)"};

std::vector<VerbSpec> make_verbs() {
  return {
      {"create",
       {},
       "NAME [TABLE-FILE] | --concise FILE",
       "create a map from a table",
       "Creates and activates the map NAME from a table in dmsetup syntax, one segment per "
       "line: START LENGTH TARGET ARGS... Without TABLE-FILE (or with -) the table is read from "
       "standard input, so\n"
       "  echo \"0 $(blockdev --getsize /dev/loop1) linear /dev/loop1 0\" | mapperctl create "
       "new_name\n"
       "works as it does with dmsetup. Returns once /dev/mapper/NAME exists. The map is stored "
       "and comes back after a reboot unless --not-persistent. With --wait-for-devices, devices "
       "the table names that are not there yet do not fail it: the map is stored, shown as "
       "pending with its missing devices, and created when they appear.\n"
       "With --concise, FILE (- for standard input) holds many maps in the form dmsetup create "
       "--concise reads, NAME,UUID,MINOR,ro|rw,TABLE-LINE[,TABLE-LINE...] per map, \";\" "
       "between maps, \"\\\" before a \",\" \";\" or \"\\\" inside a field (UUID may "
       "be empty; MINOR must be, as the kernel picks it). They are made in one call: all or "
       "nothing, or with --partial the ones that work, naming those that did not.",
       {kTable, kUuid, kReadOnly, kNotPersistent, kWaitForDevices, kConcise, kPartial},
       1,
       2,
       run_create},
      {"remove",
       {},
       "NAME...",
       "remove maps",
       "Deactivates and removes each NAME and its stored definition, all in one call: a map "
       "built on another NAME (a snapshot on its origin) goes first, and when one NAME cannot be "
       "removed nothing is. With --keep-definition the map is only deactivated and comes back at "
       "next boot. An open map is Busy unless --force or --deferred; an origin with snapshots is "
       "Busy until its snapshots are removed, or with --with-snapshots they are removed first "
       "in the same call. A pending map is removed by dropping its definition.",
       {{"force", 'f', {}, "replace the table with error and remove even if open"},
        {"deferred", 0, {}, "remove when the last user closes the map"},
        {"with-snapshots", 0, {}, "remove an origin's snapshots first, in the same call"},
        kKeepDefinition},
       1,
       kAnyNumber,
       run_remove,
       ArgumentKind::Maps},
      {"ls",
       {"list"},
       "",
       "list maps",
       "Lists every map as dmsetup ls does, the name and (MAJOR:MINOR), one per line, sorted by "
       "name; then whether mapperd restores it at boot (persistent, transient, or - for another "
       "tool's map) and the devices it is missing, if any. With -o, dmsetup's two columns and then "
       "the ones named, tab-separated. With --json, an array of map objects (see mapperctl(1), "
       "JSON OUTPUT).",
       {output_option(
           "columns after NAME (MAJ:MIN), of UUID,OWNER,DEVICE,SIZE,STATE,RO,OPEN,PERSISTENT,"
           "MISSING")},
       0,
       0,
       run_ls},
      {"info",
       {},
       "[NAME...]",
       "show maps in detail",
       "Shows each NAME (every map without NAME) as \"Key: value\" lines, maps separated by a "
       "blank line. With --json, an array of map objects, one per NAME (every map without NAME).",
       {},
       0,
       kAnyNumber,
       run_info,
       ArgumentKind::Maps},
      {"table",
       {},
       "[NAME...]",
       "print the live table",
       "Prints the table the kernel has loaded, exactly as dmsetup table does: for one NAME its "
       "lines, otherwise each line prefixed with \"NAME: \". Key material is masked. With --json, "
       "an "
       "array of {\"name\",\"table\"} objects, whatever the number of NAMEs. With --concise, "
       "one line in the form dmsetup create --concise reads (and the kernel's dm-mod.create= "
       "takes, where CONFIG_DM_INIT is built in): NAME,UUID,MINOR,ro|rw,TABLE-LINE[,...] per "
       "map, maps separated by \";\", each after the maps it is built on.",
       {{"concise", 0, {}, "print the maps as dmsetup create --concise reads them"}},
       0,
       kAnyNumber,
       run_table,
       ArgumentKind::Maps},
      {"status",
       {},
       "[NAME...]",
       "print the targets' status",
       "Prints the kernel's status line of each segment, as dmsetup status does: for one NAME its "
       "lines, otherwise each line prefixed with \"NAME: \". With --json, an array of "
       "{\"name\",\"status\"} objects, whatever the number of NAMEs.",
       {},
       0,
       kAnyNumber,
       run_status,
       ArgumentKind::Maps},
      {"suspend",
       {},
       "NAME...",
       "suspend I/O to maps",
       "Suspends each NAME: I/O waits until it is resumed.",
       {{"noflush", 0, {}, "do not flush outstanding I/O first"}},
       1,
       kAnyNumber,
       run_suspend,
       ArgumentKind::Maps},
      {"resume",
       {},
       "NAME...",
       "resume suspended maps",
       "Resumes each NAME.",
       {},
       1,
       kAnyNumber,
       run_resume,
       ArgumentKind::Maps},
      {"reload",
       {},
       "NAME [TABLE-FILE]",
       "replace a map's table",
       "Replaces the table of NAME (read as create reads it) and makes it live. If the new table "
       "cannot be loaded the old one stays live and the map is not left suspended.",
       {kTable},
       1,
       2,
       run_reload,
       ArgumentKind::Maps},
      {"rename",
       {},
       "OLD NEW",
       "rename a map",
       "Renames the map OLD to NEW; /dev/mapper/NEW replaces /dev/mapper/OLD.",
       {},
       2,
       2,
       run_rename,
       ArgumentKind::Maps},
      {"message",
       {},
       "NAME SECTOR MESSAGE...",
       "send a message to a target",
       "Sends MESSAGE (the remaining words, joined by spaces) to the segment of NAME that holds "
       "SECTOR, as dmsetup message does, and prints the target's reply if it has one.",
       {},
       3,
       kAnyNumber,
       run_message,
       ArgumentKind::Maps},
      {"snapshot",
       {},
       "ORIGIN NAME [COW]",
       "snapshot a map",
       "Creates NAME, a snapshot of the map ORIGIN whose changes go to the device COW, as LVM "
       "does: ORIGIN's table moves to a hidden ORIGIN-real map and ORIGIN becomes a "
       "snapshot-origin over it (same name and device number, so mounts do not notice). The "
       "COW's first chunk is zeroed. Instead of COW, --size makes a sparse COW file under "
       "/var/lib/mapperd/cow behind a loop device of mapperd's, deleted with the snapshot; "
       "with --auto-extend it grows at each fill threshold. Remove the snapshot with "
       "mapperctl remove NAME.",
       {{"persistent", 'P', {}, "keep the snapshot across reboots (P, the default)"},
        {"transient", 'N', {}, "a transient snapshot (N): lost when the map is removed"},
        {"chunk-size", 'c', "SIZE", "copy-on-write unit: sectors or 4K, 8K...; a power of two"},
        {"size", 's', "SIZE", "a COW file of SIZE bytes (1G, 512M) or PERCENT% of the origin"},
        {"fill-thresholds", {}, "LIST", "warn at these fill percentages (default 80,85,90,95,100)"},
        {"auto-extend", {}, {}, "grow the COW file at each fill threshold (needs --size)"},
        {"extend-percent", {}, "PERCENT", "how much --auto-extend grows it by (default 20)"}},
       2,
       3,
       run_snapshot,
       ArgumentKind::Maps},
      {"merge",
       {},
       "SNAPSHOT",
       "roll an origin back to its snapshot",
       "Merges the persistent snapshot SNAPSHOT back into its origin, which then holds the data "
       "it had when the snapshot was made; the snapshot goes. When neither is open the merge "
       "starts at once and the origin stays usable meanwhile; mapperctl waits and shows its "
       "progress (a bar on a terminal, a line every few seconds otherwise, one JSON object per "
       "update with --json). Ctrl-C stops waiting, not the merge. When the origin or the "
       "snapshot is open (mounted), nothing is changed: the merge is recorded and starts at the "
       "next boot, or with --now once both are closed.",
       {{"no-block", 0, {}, "print the job's path and return while the merge runs"},
        {"now", 0, {}, "start now or fail; never defer to the next boot"}},
       1,
       1,
       run_merge,
       ArgumentKind::Maps},
      {"jobs",
       {},
       "",
       "list running jobs",
       "Lists the jobs mapperd runs (snapshot merges): the job's path, what it does and on "
       "which maps, and its progress. With --json, an array of job objects.",
       {},
       0,
       0,
       run_jobs},
      {"concat",
       {},
       "NAME RANGE...",
       "one map from devices end to end",
       "Creates NAME from the RANGEs one after another, each a linear segment: two disks as one. "
       "A RANGE is DEV, DEV@START, DEV+LENGTH or DEV@START+LENGTH; START and LENGTH are sectors "
       "(2048), sizes (1M) or fractions of the device (1/2, rounded down). Sizes are read from "
       "the devices on this machine. The tutorial's maps:\n"
       "  mapperctl concat twoasone /dev/loop1 /dev/loop2\n"
       "  mapperctl concat halfdisk /dev/loop1+1/2\n"
       "  mapperctl concat oneahalf /dev/loop1@1/2 /dev/loop2",
       {kDryRun, kUuid, kReadOnly, kNotPersistent},
       2,
       kAnyNumber,
       run_concat},
      {"split",
       {},
       "DEV FIRST SECOND",
       "two maps from one device",
       "Creates FIRST over DEV's sectors before --at and SECOND over the rest. If SECOND cannot "
       "be created, FIRST is removed again.",
       {{"at", 'a', "POS", "where to cut: sectors, a size or a fraction (default 1/2)"},
        kDryRun,
        kReadOnly,
        kNotPersistent},
       3,
       3,
       run_split},
      {"stripe",
       {},
       "NAME RANGE RANGE...",
       "one map striped over devices",
       "Creates NAME striped over the RANGEs (as for concat), --chunk-size sectors at a time. "
       "Each stripe is as long as the shortest RANGE rounded down to whole chunks.",
       {{"chunk-size", 'c', "SIZE", "sectors per chunk, at least 8 (default 128, 64 KiB)"},
        kDryRun,
        kUuid,
        kReadOnly,
        kNotPersistent},
       3,
       kAnyNumber,
       run_stripe},
      {"loop attach",
       {},
       "FILE",
       "attach a loop device to a file",
       "Attaches a loop device to FILE and prints its name (/dev/loopN). mapperctl opens FILE "
       "itself, with your rights (read-write, or read-only with --read-only), and passes the open "
       "file to mapperd, so you need the right to the file, not root. mapperd stores the loop by "
       "its file (path, device and inode) and attaches it again at boot, whatever number it then "
       "gets, unless --not-persistent; a map over it follows it. With -H, mapperd opens FILE (an "
       "absolute path on that machine) itself, which only root may ask for.",
       {{"offset", 'o', "BYTES", "start this many bytes into the file (K, M, G, T suffixes)"},
        {"size", 's', "BYTES", "show only this many bytes of the file (default: to its end)"},
        {"read-only",
         'r',
         {},
         "a read-only loop device; the file is opened for reading only",
         "readonly"},
        {"not-persistent", 0, {}, "do not store it: it is not attached again after a reboot"}},
       1,
       1,
       run_loop_attach},
      {"loop detach",
       {},
       "LOOP...",
       "detach loop devices",
       "Detaches each LOOP (/dev/loopN, loopN or N), in order, stopping at the first that fails, "
       "and forgets it. mapperd detaches only loops it attached; one a map uses is Busy. With "
       "--keep-definition it is only detached now and comes back at next boot.",
       {kKeepDefinition},
       1,
       kAnyNumber,
       run_loop_detach,
       ArgumentKind::Loops},
      {"loop ls",
       {"loop list"},
       "",
       "list mapperd's loop devices",
       "Lists the loop devices mapperd attached, as losetup --list does: NAME, OFFSET and "
       "SIZELIMIT (bytes; 0 is to the file's end), RO, PERSISTENT and BACK-FILE. Loops other "
       "tools attached are not listed. With --json, an array of loop objects.",
       {output_option(
           "columns, of NAME,MAJ:MIN,OFFSET,SIZELIMIT,RO,PERSISTENT,INODE,UID,BACK-FILE")},
       0,
       0,
       run_loop_ls},
      {"definitions",
       {},
       "",
       "list stored map definitions",
       "Lists the maps mapperd keeps in /etc/mapperd and brings back at boot: NAME, STATE "
       "(active; pending, waiting for devices; failed; inactive, removed with --keep-definition "
       "until the next boot) and, for one that is not active, the REASON: the devices it waits "
       "for, or the error of its last try. With --json, an array of "
       "{\"name\",\"state\",\"reason\"} objects.",
       {output_option("columns, of NAME,STATE,REASON")},
       0,
       0,
       run_definitions},
      {"check",
       {},
       "[TABLE-FILE]",
       "check a table without creating anything",
       "Checks a table (from TABLE-FILE, --table or standard input) and prints each problem as "
       "\"line N: FIELD: REASON\". Exit status 0 when the table is good, 6 when it has problems. "
       "mapperd checks it against the running kernel and the devices present; with --offline "
       "mapperctl checks it alone, against this machine's devices (only the targets linear, "
       "striped, snapshot-origin, snapshot, snapshot-merge, zero and error).",
       {kTable, {"offline", 0, {}, "check here, without mapperd"}},
       0,
       1,
       run_check},
      {"monitor",
       {},
       "[NAME...]",
       "print changes as they happen",
       "Prints one line per change (maps added, removed, changed; mapperd started or stopped) "
       "until interrupted; only changes to NAMEs when given. With --json, one JSON object per "
       "line. A line on standard error says when watching has begun.",
       {},
       0,
       kAnyNumber,
       run_monitor,
       ArgumentKind::Maps},
      {"targets",
       {},
       "",
       "list the kernel's targets",
       "Lists the target types the kernel has loaded and their versions, as dmsetup targets "
       "does.",
       {},
       0,
       0,
       run_targets},
      {"version",
       {},
       "",
       "show versions",
       "Shows the versions of mapperctl, mapperd and the kernel's device-mapper driver.",
       {},
       0,
       0,
       run_version},
      {"help",
       {},
       "[VERB]",
       "show help",
       "Shows the list of verbs, or the help of VERB (\"help loop attach\" for a verb of two "
       "words).",
       {},
       0,
       2,
       run_help,
       ArgumentKind::Verbs},
  };
}

}  // namespace

const std::vector<VerbSpec>& all_verbs() {
  static const std::vector<VerbSpec> verbs = make_verbs();
  return verbs;
}

std::vector<const VerbSpec*> verbs_in_group(std::string_view group) {
  std::vector<const VerbSpec*> verbs;
  for (const VerbSpec& verb : all_verbs()) {
    if (verb.name.size() > group.size() && verb.name.starts_with(group) &&
        verb.name[group.size()] == ' ') {
      verbs.push_back(&verb);
    }
  }
  return verbs;
}

const std::vector<VerbSyntax>& verb_syntax() {
  static const std::vector<VerbSyntax> syntax = [] {
    std::vector<VerbSyntax> verbs;
    for (const VerbSpec& verb : all_verbs())
      verbs.push_back({verb.name, verb.aliases, &verb.options});
    return verbs;
  }();
  return syntax;
}

const VerbSpec* find_verb(std::string_view name) {
  for (const VerbSpec& verb : all_verbs()) {
    if (verb.name == name)
      return &verb;
    for (std::string_view alias : verb.aliases) {
      if (alias == name)
        return &verb;
    }
  }
  return nullptr;
}

}  // namespace mapperctl
