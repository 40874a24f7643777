#pragma once
// Internal to the model: which bytes may reach the kernel's table parser inside one word.

namespace mapperd {

// Printable ASCII other than space and backslash. The kernel splits a target's parameters at
// every byte its isspace() accepts (its Latin-1 table counts 0xA0 as a space) and reads a
// backslash as an escape, so any other byte could turn one checked word into different
// arguments. Keeping to ASCII also keeps every error message valid UTF-8 for D-Bus.
inline bool is_plain_argument_byte(char byte) {
  const auto value = static_cast<unsigned char>(byte);
  return value > 0x20 && value < 0x7f && byte != '\\';
}

}  // namespace mapperd
