// SPDX-License-Identifier: MIT
#pragma once

#include <iconv.h>

#include <optional>
#include <string>
#include <string_view>

namespace ecozone::layers {

bool isValidUtf8(std::string_view text);

// Decodes text in one encoding (CP936/GBK, GB18030, BIG5, ...) to UTF-8 with iconv, refusing, rather than
// replacing, bytes that are not valid in that encoding.
class TextDecoder {
  public:
    explicit TextDecoder(std::string encoding);  // throws a configuration error for an encoding iconv lacks
    ~TextDecoder();
    TextDecoder(const TextDecoder&) = delete;
    TextDecoder& operator=(const TextDecoder&) = delete;

    const std::string& encoding() const { return encoding_; }
    std::optional<std::string> decode(std::string_view raw) const;

  private:
    std::string encoding_;
    iconv_t cd_;
};

// "e6 9c a8 ..." for messages about bytes that cannot be decoded (at most `limit` bytes).
std::string hexBytes(std::string_view raw, std::size_t limit = 12);

}  // namespace ecozone::layers
