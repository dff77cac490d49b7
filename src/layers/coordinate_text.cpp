// SPDX-License-Identifier: MIT
#include "layers/coordinate_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace ecozone::layers {

namespace {

// Degrees, Minutes and Seconds are consecutive and in that order: units are compared and stepped arithmetically.
enum class Kind { Number, Sign, Degrees, Minutes, Seconds, Colon, Hemisphere, Separator };
enum class Axis { Longitude, Latitude };

struct Token {
    Kind kind = Kind::Number;
    std::string text;             // as typed (Number: normalised to ASCII), for messages
    double value = 0;             // Number
    bool negative = false;        // Sign; Hemisphere W or S
    Axis axis = Axis::Longitude;  // Hemisphere
};

// Thrown inside this file only, and turned into `why` at the two entry points.
struct Rejection {
    std::string reason;
};

std::string utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

std::vector<char32_t> decodeUtf8(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int extra = 0;
        char32_t c = 0;
        if (b < 0x80) {
            c = b;
        } else if ((b & 0xE0) == 0xC0) {
            extra = 1;
            c = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            extra = 2;
            c = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            extra = 3;
            c = b & 0x07;
        } else {
            throw Rejection{"not valid UTF-8 (byte " + std::to_string(i + 1) + ")"};
        }
        for (int k = 1; k <= extra; ++k) {
            if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
                throw Rejection{"not valid UTF-8 (byte " + std::to_string(i + 1) + ")"};
            }
            c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        }
        out.push_back(c);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

bool isDigit(char32_t c) {
    return c >= U'0' && c <= U'9';
}

// Folds the look-alikes Chinese input methods produce onto ASCII: the full-width forms U+FF01..FF5E (digits,
// ．，－＋：＇＂ and letters), the ideographic and no-break spaces, the minus sign U+2212, and the ideographic
// full stop 。 where it sits between digits (a decimal point typed in Chinese mode).
std::vector<char32_t> normalise(std::vector<char32_t> cps) {
    for (auto& c : cps) {
        if (c >= 0xFF01 && c <= 0xFF5E) {
            c -= 0xFEE0;
        } else if (c == 0x3000 || c == 0x00A0 || c == U'\t' || c == U'\r' || c == U'\n') {
            c = U' ';
        } else if (c == 0x2212) {
            c = U'-';
        }
    }
    for (std::size_t i = 1; i + 1 < cps.size(); ++i) {
        if (cps[i] == 0x3002 && isDigit(cps[i - 1]) && isDigit(cps[i + 1])) cps[i] = U'.';
    }
    return cps;
}

bool isMinuteMark(char32_t c) {
    return c == U'\'' || c == 0x2032 || c == 0x2019 || c == 0x2018 || c == 0x00B4;
}

std::vector<Token> tokenize(std::string_view text) {
    const std::vector<char32_t> cps = normalise(decodeUtf8(text));
    std::vector<Token> out;
    auto push = [&](Kind k, std::string t) {
        Token tok;
        tok.kind = k;
        tok.text = std::move(t);
        out.push_back(std::move(tok));
    };
    auto pushHemisphere = [&](std::string t, Axis axis, bool negative) {
        Token tok;
        tok.kind = Kind::Hemisphere;
        tok.text = std::move(t);
        tok.axis = axis;
        tok.negative = negative;
        out.push_back(std::move(tok));
    };
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const char32_t c = cps[i];
        const char32_t next = i + 1 < cps.size() ? cps[i + 1] : 0;
        if (c == U' ') continue;
        if (isDigit(c) || c == U'.') {
            std::string number;
            while (i < cps.size() && (isDigit(cps[i]) || cps[i] == U'.')) number += static_cast<char>(cps[i++]);
            --i;
            Token tok;
            tok.kind = Kind::Number;
            const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), tok.value);
            if (ec != std::errc{} || end != number.data() + number.size()) {
                throw Rejection{"malformed number '" + number + "'"};
            }
            tok.text = std::move(number);
            out.push_back(std::move(tok));
        } else if (c == U'+' || c == U'-') {
            push(Kind::Sign, utf8(c));
            out.back().negative = c == U'-';
        } else if (c == 0x00B0 || c == 0x00BA || c == 0x02DA || c == U'度') {
            push(Kind::Degrees, utf8(c));
        } else if (isMinuteMark(c)) {
            // Two primes typed in a row are a seconds mark.
            if (isMinuteMark(next)) {
                push(Kind::Seconds, utf8(c) + utf8(next));
                ++i;
            } else {
                push(Kind::Minutes, utf8(c));
            }
        } else if (c == U'分') {
            push(Kind::Minutes, utf8(c));
        } else if (c == U'"' || c == 0x2033 || c == 0x201C || c == 0x201D || c == U'秒') {
            push(Kind::Seconds, utf8(c));
        } else if (c == U':') {
            // "N: 31.9", "东经：108.5": a colon after a label introduces the value.
            if (!out.empty() && out.back().kind == Kind::Hemisphere) continue;
            push(Kind::Colon, ":");
        } else if (c == U',' || c == U';' || c == U'、') {
            push(Kind::Separator, utf8(c));
        } else if (c == U'E' || c == U'e' || c == U'W' || c == U'w') {
            pushHemisphere(std::string(1, static_cast<char>(c)), Axis::Longitude, c == U'W' || c == U'w');
        } else if (c == U'N' || c == U'n' || c == U'S' || c == U's') {
            pushHemisphere(std::string(1, static_cast<char>(c)), Axis::Latitude, c == U'S' || c == U's');
        } else if (c == U'东' || c == U'東' || c == U'西') {
            std::string label = utf8(c);
            if (next == U'经' || next == U'經') {
                label += utf8(next);
                ++i;
            }
            pushHemisphere(std::move(label), Axis::Longitude, c == U'西');
        } else if (c == U'北' || c == U'南') {
            std::string label = utf8(c);
            if (next == U'纬' || next == U'緯') {
                label += utf8(next);
                ++i;
            }
            pushHemisphere(std::move(label), Axis::Latitude, c == U'南');
        } else {
            throw Rejection{"unexpected character '" + utf8(c) + "'"};
        }
    }
    return out;
}

std::string formatNumber(double v) {
    std::array<char, 32> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc{} ? std::string(buf.data(), end) : std::string("?");
}

struct Component {
    const Token* number = nullptr;
    Kind unit = Kind::Degrees;
};

const char* unitName(Kind k) {
    switch (k) {
        case Kind::Degrees:
            return "degrees";
        case Kind::Minutes:
            return "minutes";
        default:
            return "seconds";
    }
}

// Degrees, minutes and seconds from numbers joined by colons: d:m or d:m:s.
std::vector<Component> colonComponents(std::span<const Token> t) {
    if (t.size() > 5) throw Rejection{"more than three ':'-separated numbers"};
    std::vector<Component> parts;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const Kind want = i % 2 == 0 ? Kind::Number : Kind::Colon;
        if (t[i].kind != want) {
            throw Rejection{"'" + t[i].text + "' is out of place in a degrees:minutes:seconds value"};
        }
        if (want == Kind::Number)
            parts.push_back({&t[i], static_cast<Kind>(static_cast<int>(Kind::Degrees) + i / 2)});
    }
    if (t.back().kind == Kind::Colon) throw Rejection{"nothing after the last ':'"};
    return parts;
}

// Numbers each followed by a °/′/″ (度/分/秒) mark, in that order; the last number may omit its mark
// ("108°23'15.2", "108度23").
std::vector<Component> markedComponents(std::span<const Token> t) {
    std::vector<Component> parts;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const Token& number = t[i];
        if (number.kind != Kind::Number) throw Rejection{"the mark '" + number.text + "' follows no number"};
        Kind unit = Kind::Degrees;
        if (i + 1 < t.size()) {
            if (t[i + 1].kind == Kind::Number) {
                throw Rejection{"the number " + number.text + " has no °, ′ or ″ mark while others do"};
            }
            unit = t[++i].kind;
        } else if (!parts.empty()) {
            if (parts.back().unit == Kind::Seconds)
                throw Rejection{"the number " + number.text + " follows seconds"};
            unit = static_cast<Kind>(static_cast<int>(parts.back().unit) + 1);
        }
        if (parts.empty() && unit != Kind::Degrees) {
            throw Rejection{std::string(unitName(unit)) + " " + number.text + " come without degrees"};
        }
        if (!parts.empty() && unit <= parts.back().unit) {
            throw Rejection{std::string(unitName(unit)) + " " + number.text + " come after " +
                            unitName(parts.back().unit)};
        }
        parts.push_back({&number, unit});
    }
    return parts;
}

// Numbers separated by spaces: one is decimal degrees, two or three are degrees, minutes [and seconds].
std::vector<Component> plainComponents(std::span<const Token> t) {
    if (t.size() > 3) {
        throw Rejection{std::to_string(t.size()) + " numbers do not form degrees, minutes and seconds"};
    }
    std::vector<Component> parts;
    for (std::size_t i = 0; i < t.size(); ++i) {
        parts.push_back({&t[i], static_cast<Kind>(static_cast<int>(Kind::Degrees) + i)});
    }
    return parts;
}

double compose(const std::vector<Component>& parts) {
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const Token& n = *parts[i].number;
        if (std::floor(n.value) != n.value) {
            throw Rejection{std::string(unitName(parts[i].unit)) + " " + n.text + " are not a whole number but " +
                            unitName(parts[i + 1].unit) + " follow"};
        }
    }
    double degrees = 0;
    double minutes = 0;
    double seconds = 0;
    for (const auto& p : parts) {
        const double v = p.number->value;
        if (p.unit != Kind::Degrees && v >= 60) {
            throw Rejection{std::string(unitName(p.unit)) + " " + p.number->text + " are not below 60"};
        }
        (p.unit == Kind::Degrees ? degrees : p.unit == Kind::Minutes ? minutes : seconds) = v;
    }
    return degrees + minutes / 60.0 + seconds / 3600.0;
}

// One coordinate from its tokens: an optional leading or trailing label, an optional leading sign, and the
// numbers in one of the colon, marked or plain forms.
double parseValue(std::span<const Token> t) {
    if (t.empty()) throw Rejection{"no number"};
    const Token* label = nullptr;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].kind == Kind::Separator) {
            throw Rejection{"contains the separator '" + t[i].text + "' (is it a longitude and latitude pair?)"};
        }
        if (t[i].kind != Kind::Hemisphere) continue;
        if (label) throw Rejection{"has two direction labels, " + label->text + " and " + t[i].text};
        if (i != 0 && i + 1 != t.size()) {
            throw Rejection{"the direction label " + t[i].text + " is neither at the start nor at the end"};
        }
        label = &t[i];
    }
    if (label) t = label == &t.front() ? t.subspan(1) : t.first(t.size() - 1);
    bool negative = false;
    if (!t.empty() && t.front().kind == Kind::Sign) {
        negative = t.front().negative;
        if (negative && label) {
            throw Rejection{"has both a minus sign and the direction label " + label->text + "; give one of them"};
        }
        t = t.subspan(1);
    }
    for (const auto& tok : t) {
        if (tok.kind == Kind::Sign)
            throw Rejection{"the sign '" + tok.text + "' may only precede the first number"};
    }
    if (std::none_of(t.begin(), t.end(), [](const Token& x) { return x.kind == Kind::Number; })) {
        throw Rejection{"no number"};
    }
    const bool colons = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.kind == Kind::Colon; });
    const bool marks = std::any_of(t.begin(), t.end(), [](const Token& x) {
        return x.kind == Kind::Degrees || x.kind == Kind::Minutes || x.kind == Kind::Seconds;
    });
    if (colons && marks) throw Rejection{"mixes ':' with degree, minute or second marks"};
    const std::vector<Component> parts = colons  ? colonComponents(t)
                                         : marks ? markedComponents(t)
                                                 : plainComponents(t);
    double v = compose(parts);
    const bool latitude = label && label->axis == Axis::Latitude;
    const double limit = latitude ? 90.0 : 180.0;
    if (v > limit) {
        throw Rejection{formatNumber(v) + " degrees are beyond " + formatNumber(limit)};
    }
    if (negative || (label && label->negative)) v = -v;
    return v;
}

// Where a cell's tokens divide into its two values, or a rejection saying why that cannot be told.
std::size_t splitPoint(std::span<const Token> t) {
    std::vector<std::size_t> separators;
    std::vector<std::size_t> labels;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].kind == Kind::Separator) separators.push_back(i);
        if (t[i].kind == Kind::Hemisphere) labels.push_back(i);
    }
    if (separators.size() > 1) {
        throw Rejection{std::to_string(separators.size()) +
                        " separators; expected one between longitude and "
                        "latitude"};
    }
    if (separators.size() == 1) return separators.front();
    if (labels.size() == 2) {
        if (labels.front() == 0) return labels.back();                 // E108 N31
        if (labels.back() + 1 == t.size()) return labels.front() + 1;  // 108E 31N
        throw Rejection{"cannot tell which direction label belongs to which value; separate them with a comma"};
    }
    if (labels.size() == 1) {
        throw Rejection{"only one value is labelled (" + t[labels.front()].text +
                        "); label both or separate them with a comma"};
    }
    if (labels.size() > 2) throw Rejection{std::to_string(labels.size()) + " direction labels; expected two"};

    // Unlabelled and unseparated: the start of the second value must be evident from the marks.
    auto backOverSign = [&](std::size_t i) { return i > 0 && t[i - 1].kind == Kind::Sign ? i - 1 : i; };
    std::vector<std::size_t> starts;  // numbers that begin a value
    const bool marked = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.kind == Kind::Degrees; });
    const bool colons = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.kind == Kind::Colon; });
    std::size_t numbers = 0;
    std::size_t firstNumber = t.size();
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].kind != Kind::Number) continue;
        if (numbers++ == 0) firstNumber = i;
        if (marked && i + 1 < t.size() && t[i + 1].kind == Kind::Degrees) starts.push_back(i);
        if (colons && !marked && (i == 0 || t[i - 1].kind != Kind::Colon)) starts.push_back(i);
    }
    if (marked || colons) {
        if (starts.size() != 2 || starts.front() != firstNumber) {
            throw Rejection{
                "cannot tell where the longitude ends and the latitude begins; separate them with a "
                "comma"};
        }
        return backOverSign(starts.back());
    }
    if (numbers != 2 && numbers != 4 && numbers != 6) {
        throw Rejection{numbers == 1 ? std::string("only one number; expected longitude and latitude")
                                     : std::to_string(numbers) +
                                           " numbers cannot be split into longitude and "
                                           "latitude"};
    }
    std::size_t seen = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].kind == Kind::Number && seen++ == numbers / 2) return backOverSign(i);
    }
    return t.size();  // not reached: `numbers` counted the same tokens
}

const Token* labelOf(std::span<const Token> t) {
    for (const auto& x : t) {
        if (x.kind == Kind::Hemisphere) return &x;
    }
    return nullptr;
}

}  // namespace

std::optional<double> parseCoordinate(std::string_view text, std::string* why) {
    try {
        const std::vector<Token> tokens = tokenize(text);
        if (tokens.empty()) throw Rejection{"empty"};
        return parseValue(tokens);
    } catch (const Rejection& r) {
        if (why) *why = r.reason;
        return std::nullopt;
    }
}

std::optional<std::pair<double, double>> parseLonLatCell(std::string_view text, std::string* why) {
    std::string which;
    try {
        const std::vector<Token> tokens = tokenize(text);
        if (tokens.empty()) throw Rejection{"empty"};
        const std::span<const Token> all(tokens);
        const std::size_t split = splitPoint(all);
        const bool separated = split < all.size() && all[split].kind == Kind::Separator;
        const std::span<const Token> first = all.first(split);
        const std::span<const Token> second = all.subspan(split + (separated ? 1 : 0));
        if (first.empty()) throw Rejection{"nothing before '" + all[split].text + "'"};
        if (second.empty()) throw Rejection{"nothing after '" + all[split].text + "'"};

        // Labels decide the axes; an unlabelled value takes whichever axis the other leaves, and with no labels
        // at all the order is longitude, latitude.
        const Token* firstLabel = labelOf(first);
        const Token* secondLabel = labelOf(second);
        Axis firstAxis = Axis::Longitude;
        if (firstLabel) {
            firstAxis = firstLabel->axis;
        } else if (secondLabel) {
            firstAxis = secondLabel->axis == Axis::Longitude ? Axis::Latitude : Axis::Longitude;
        }
        const Axis secondAxis =
            secondLabel ? secondLabel->axis : (firstAxis == Axis::Longitude ? Axis::Latitude : Axis::Longitude);
        if (firstAxis == secondAxis) {
            throw Rejection{std::string("both values are labelled as ") +
                            (firstAxis == Axis::Longitude ? "longitude" : "latitude") + " (" + firstLabel->text +
                            ", " + secondLabel->text + ")"};
        }
        auto name = [](Axis a) { return a == Axis::Longitude ? "longitude: " : "latitude: "; };
        which = name(firstAxis);
        const double a = parseValue(first);
        which = name(secondAxis);
        const double b = parseValue(second);
        return firstAxis == Axis::Longitude ? std::pair{a, b} : std::pair{b, a};
    } catch (const Rejection& r) {
        if (why) *why = which + r.reason;
        return std::nullopt;
    }
}

}  // namespace ecozone::layers
