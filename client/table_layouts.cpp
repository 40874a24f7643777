#include "table_layouts.h"

#include <algorithm>

#include "exit_status.h"

namespace mapperctl {
namespace {

using mapperd::Sectors;

mapperd::DeviceRef device_ref(const std::string& device) {
  std::string why;
  std::optional<mapperd::DeviceRef> ref = mapperd::DeviceRef::parse(device, &why);
  if (!ref)
    throw usage_error(why.empty() ? device + " is not a device" : why);
  return *ref;
}

mapperd::Segment linear(Sectors start, const Extent& extent) {
  return {start, extent.length, mapperd::LinearTarget{device_ref(extent.device), extent.start}};
}

}  // namespace

mapperd::Table concat_table(const std::vector<Extent>& extents) {
  if (extents.empty())
    throw usage_error("concat needs at least one device");
  mapperd::Table table;
  Sectors next;
  for (const Extent& extent : extents) {
    const std::optional<Sectors> end = mapperd::checked_add(next, extent.length);
    if (!end)
      throw usage_error("the devices add up to more than 2^64 sectors");
    table.segments.push_back(linear(next, extent));
    next = *end;
  }
  return table;
}

std::pair<mapperd::Table, mapperd::Table> split_tables(const Extent& whole, Sectors at) {
  if (at == Sectors(0) || at >= whole.length) {
    throw usage_error("cannot split " + whole.device + " (" + to_string(whole.length) +
                      " sectors) at sector " + to_string(at) + ": both parts must be non-empty");
  }
  const Extent first{whole.device, whole.start, at};
  const Extent second{whole.device, whole.start + at, whole.length - at};
  return {concat_table({first}), concat_table({second})};
}

mapperd::Table stripe_table(const std::vector<Extent>& stripes, Sectors chunk_size) {
  if (stripes.size() < 2)
    throw usage_error("striping needs at least two devices");
  if (chunk_size == Sectors(0))
    throw usage_error("the chunk size must not be zero");
  const auto shortest =
      std::min_element(stripes.begin(), stripes.end(),
                       [](const Extent& a, const Extent& b) { return a.length < b.length; });
  const std::uint64_t chunks = shortest->length.count() / chunk_size.count();
  if (chunks == 0) {
    throw usage_error(shortest->device + " (" + to_string(shortest->length) +
                      " sectors) is shorter than one chunk (" + to_string(chunk_size) +
                      " sectors)");
  }
  const std::uint64_t stripe_length = chunks * chunk_size.count();
  if (stripe_length > UINT64_MAX / stripes.size()) {
    throw usage_error("the striped map would be larger than 2^64 sectors");
  }
  mapperd::StripedTarget striped{chunk_size, {}};
  for (const Extent& extent : stripes) {
    striped.stripes.push_back({device_ref(extent.device), extent.start});
  }
  mapperd::Table table;
  table.segments.push_back({Sectors(0), Sectors(stripe_length * stripes.size()), striped});
  return table;
}

}  // namespace mapperctl
