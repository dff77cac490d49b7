// SPDX-License-Identifier: MIT
#include "layers/text_decoder.hpp"

#include <cerrno>
#include <cstdio>
#include <vector>

#include "util/error.hpp"

namespace ecozone::layers {

bool isValidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values beyond Unicode are not UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

TextDecoder::TextDecoder(std::string encoding) : encoding_(std::move(encoding)) {
    cd_ = iconv_open("UTF-8", encoding_.c_str());
    if (cd_ == reinterpret_cast<iconv_t>(-1))
        throw configError("unknown text encoding `" + encoding_ + "`; use a name iconv knows, e.g. CP936 (GBK), " +
                          "GB18030, BIG5, UTF-8");
}

TextDecoder::~TextDecoder() { iconv_close(cd_); }

std::optional<std::string> TextDecoder::decode(std::string_view raw) const {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
    std::string in(raw);
    std::vector<char> out(raw.size() * 4 + 16);
    char* src = in.data();
    std::size_t srcLeft = in.size();
    char* dst = out.data();
    std::size_t dstLeft = out.size();
    if (iconv(cd_, &src, &srcLeft, &dst, &dstLeft) == static_cast<std::size_t>(-1)) return std::nullopt;
    if (iconv(cd_, nullptr, nullptr, &dst, &dstLeft) == static_cast<std::size_t>(-1)) return std::nullopt;
    return std::string(out.data(), out.size() - dstLeft);
}

std::string hexBytes(std::string_view raw, std::size_t limit) {
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < raw.size() && i < limit; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(raw[i]));
        out += (i ? " " : "") + std::string(buf);
    }
    if (raw.size() > limit) out += " ...";
    return out;
}

}  // namespace ecozone::layers
