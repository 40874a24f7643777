#pragma once
// The tables the layout verbs compute: what the tutorial does with shell arithmetic.

#include <utility>
#include <vector>

#include "extent.h"
#include "model/table.h"

namespace mapperctl {

// The extents one after another in a single map, each a linear segment: the tutorial's
// "twoasone" (two whole disks) and "oneahalf" (the second half of one and all of another).
// Throws CommandError(Usage) for no extents or a device that is neither /dev/... nor MAJ:MIN.
mapperd::Table concat_table(const std::vector<Extent>& extents);

// `whole` cut at `at` sectors into two maps: [0, at) and [at, end), the tutorial's "halfdisk"
// and the other half. Throws CommandError(Usage) unless 0 < at < whole.length.
std::pair<mapperd::Table, mapperd::Table> split_tables(const Extent& whole, mapperd::Sectors at);

// One striped segment over `stripes`, `chunk_size` sectors at a time. Every stripe gets the
// same length: the shortest extent rounded down to a whole number of chunks (dm-stripe needs
// that), so the map is that times the number of stripes; the rest of longer devices is unused.
// Throws CommandError(Usage) for fewer than two stripes, a zero chunk size, or an extent
// shorter than one chunk.
mapperd::Table stripe_table(const std::vector<Extent>& stripes, mapperd::Sectors chunk_size);

}  // namespace mapperctl
