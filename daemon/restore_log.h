#pragma once

#include "engine/restore.h"
#include "log/event_log.h"

namespace mapperd {

// One journal line per thing a restore pass did or could not do, with MAPPERD_MAP= (or
// MAPPERD_LOOP_FILE=) so `journalctl MAPPERD_MAP=NAME` shows a map's whole story. `at_boot`
// adds the summary with the time it took.
void log_restore_report(EventLog& log, const RestoreReport& report, bool summary);

}  // namespace mapperd
