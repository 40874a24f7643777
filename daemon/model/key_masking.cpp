#include "key_masking.h"

#include <vector>

namespace mapperd {
namespace {

// A word of `text` as [begin, end): separated by runs of spaces and tabs, as dmsetup and the
// kernel split them (so extra blanks cannot hide a key from the mask).
struct Word {
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::vector<Word> words_of(std::string_view text, std::size_t from, std::size_t to) {
  std::vector<Word> words;
  std::size_t i = from;
  while (i < to) {
    while (i < to && is_blank(text[i]))
      ++i;
    if (i == to)
      break;
    Word word{i, i};
    while (word.end < to && !is_blank(text[word.end]))
      ++word.end;
    words.push_back(word);
    i = word.end;
  }
  return words;
}

std::string_view view(std::string_view text, Word word) {
  return text.substr(word.begin, word.end - word.begin);
}

void mask_range(std::string& text, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i)
    text[i] = '0';
}

// crypt <cipher> <key> <iv_offset> ...: the key is the second word.
void mask_crypt(std::string& text, const std::vector<Word>& params) {
  if (params.size() < 2)
    return;
  const std::string_view key = view(text, params[1]);
  // ":32:logon:cryptsetup:..." names a kernel keyring entry and "-" means no key: neither
  // carries key material, and dmsetup shows both as they are.
  if (key.front() == ':' || key == "-")
    return;
  mask_range(text, params[1].begin, params[1].end);
}

// integrity ... internal_hash:<alg>[:<key>] journal_crypt:<alg>[:<key>] journal_mac:<alg>[:<key>]
void mask_integrity(std::string& text, const std::vector<Word>& params) {
  static constexpr std::string_view kKeyedOptions[] = {
      "internal_hash:", "journal_crypt:", "journal_mac:"};
  for (const Word& word : params) {
    const std::string_view option_text = view(text, word);
    for (std::string_view option : kKeyedOptions) {
      if (!option_text.starts_with(option))
        continue;
      const std::size_t key_colon = option_text.find(':', option.size());
      if (key_colon != std::string_view::npos)
        mask_range(text, word.begin + key_colon + 1, word.end);
    }
  }
}

// Masks in place the parameters `params` (words of `text`) of a line of type `type`.
void mask_params(std::string& text, std::string_view type, const std::vector<Word>& params) {
  if (type == "crypt")
    mask_crypt(text, params);
  else if (type == "integrity")
    mask_integrity(text, params);
}

}  // namespace

std::string mask_key_material(std::string_view type, std::string_view params) {
  std::string text(params);
  mask_params(text, type, words_of(text, 0, text.size()));
  return text;
}

std::string mask_table_keys(std::string_view table) {
  std::string text(table);
  std::size_t line_begin = 0;
  while (line_begin < text.size()) {
    std::size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string::npos)
      line_end = text.size();
    std::vector<Word> words = words_of(text, line_begin, line_end);
    // start length type params...
    if (words.size() > 3) {
      const std::string type(view(text, words[2]));
      words.erase(words.begin(), words.begin() + 3);
      mask_params(text, type, words);
    }
    line_begin = line_end + 1;
  }
  return text;
}

std::string mask_message_keys(std::string_view message) {
  const std::vector<Word> words = words_of(message, 0, message.size());
  if (words.size() < 3 || view(message, words[0]) != "key" || view(message, words[1]) != "set")
    return std::string(message);
  if (words.size() == 3 && message[words[2].begin] == ':')
    return std::string(message);
  return std::string(message.substr(0, words[1].end)) + " <masked>";
}

}  // namespace mapperd
