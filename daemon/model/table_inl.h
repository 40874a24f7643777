#pragma once
// Template definitions for table.h; include table.h, not this file.

namespace mapperd {

template <class Replace>
Table with_devices_replaced(Table table, Replace&& replace) {
  for (Segment& segment : table.segments) {
    std::visit(
        [&](auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, LinearTarget>) {
            t.device = replace(t.device);
          } else if constexpr (std::is_same_v<T, StripedTarget>) {
            for (Stripe& stripe : t.stripes)
              stripe.device = replace(stripe.device);
          } else if constexpr (std::is_same_v<T, SnapshotOriginTarget>) {
            t.origin = replace(t.origin);
          } else if constexpr (std::is_same_v<T, SnapshotTarget>) {
            t.origin = replace(t.origin);
            t.cow = replace(t.cow);
          }
        },
        segment.target);
  }
  return table;
}

}  // namespace mapperd
