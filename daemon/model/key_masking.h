#pragma once
// Key material in tables and target messages, masked before any of it leaves the daemon (bus
// properties, replies, logs): the one place that knows which words are secret.

#include <string>
#include <string_view>

namespace mapperd {

// `params` (one line's parameters) with key material replaced by '0's, as `dmsetup table`
// prints it without --showkeys: the key of a "crypt" line (a keyring reference
// ":size:type:desc" and "-" carry no key and are kept), and the keys in "integrity" options
// internal_hash/journal_crypt/journal_mac. Other targets' parameters are returned unchanged.
std::string mask_key_material(std::string_view type, std::string_view params);

// Table text ("start length type params" lines, as written by a caller or printed by the
// kernel) with every line's key material masked as above; everything else, spacing and
// comments included, is kept byte for byte.
std::string mask_table_keys(std::string_view table);

// A target message with its key masked: dm-crypt's "key set <key>" becomes
// "key set <masked>" (a keyring reference ":size:type:desc" is kept). Other messages are
// returned unchanged.
std::string mask_message_keys(std::string_view message);

}  // namespace mapperd
