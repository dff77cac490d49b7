// SPDX-License-Identifier: MIT
// Coordinates as typed into ledgers: every accepted form, and every rejection with its reason.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "layers/coordinate_text.hpp"

using ecozone::layers::parseCoordinate;
using ecozone::layers::parseLonLatCell;

namespace {

// 108°23'15.2" computed the way the parser is contracted to compute it.
constexpr double kDms = 108.0 + 23.0 / 60.0 + 15.2 / 3600.0;

// The reason a single coordinate is rejected, or "accepted".
std::string rejection(std::string_view text) {
    std::string why;
    return parseCoordinate(text, &why) ? std::string("accepted") : why;
}

std::string cellRejection(std::string_view text) {
    std::string why;
    return parseLonLatCell(text, &why) ? std::string("accepted") : why;
}

void expectCell(std::string_view text, double lon, double lat) {
    std::string why;
    const auto cell = parseLonLatCell(text, &why);
    ASSERT_TRUE(cell) << text << ": " << why;
    EXPECT_NEAR(cell->first, lon, 1e-12) << text;
    EXPECT_NEAR(cell->second, lat, 1e-12) << text;
}

}  // namespace

TEST(CoordinateText, DecimalDegreesWithStraySpaces) {
    EXPECT_EQ(parseCoordinate("108.3876"), 108.3876);
    EXPECT_EQ(parseCoordinate("  108.3876 "), 108.3876);
    EXPECT_EQ(parseCoordinate("\t108.5\r\n"), 108.5);
    EXPECT_EQ(parseCoordinate("- 29.5"), -29.5);
    EXPECT_EQ(parseCoordinate("+108"), 108.0);
    EXPECT_EQ(parseCoordinate("108."), 108.0);
    EXPECT_EQ(parseCoordinate(".5"), 0.5);
    EXPECT_EQ(parseCoordinate("108.5°"), 108.5);
    EXPECT_EQ(parseCoordinate("108.5度"), 108.5);
}

TEST(CoordinateText, FullWidthCharacters) {
    EXPECT_EQ(parseCoordinate("１０８．５"), 108.5);
    EXPECT_EQ(parseCoordinate("－２９．５"), -29.5);
    EXPECT_EQ(parseCoordinate("＋１０８．５"), 108.5);
    EXPECT_EQ(parseCoordinate("\u3000108.5\u3000"), 108.5);  // ideographic spaces
    EXPECT_EQ(parseCoordinate("\u00a0108.5"), 108.5);        // no-break space
    EXPECT_EQ(parseCoordinate("\u2212108.5"), -108.5);       // minus sign
    EXPECT_EQ(parseCoordinate("１０８。５"), 108.5);         // 。 typed as a decimal point
    EXPECT_EQ(parseCoordinate("Ｅ１０８．５"), 108.5);
    EXPECT_EQ(parseCoordinate("１０８°２３＇１５．２＂"), kDms);
    EXPECT_EQ(parseCoordinate("１０８：２３：１５．２"), kDms);
}

TEST(CoordinateText, HemisphereLettersAndChineseDirections) {
    EXPECT_EQ(parseCoordinate("E108.5"), 108.5);
    EXPECT_EQ(parseCoordinate("108.5E"), 108.5);
    EXPECT_EQ(parseCoordinate("108.5 e"), 108.5);
    EXPECT_EQ(parseCoordinate("W108.5"), -108.5);
    EXPECT_EQ(parseCoordinate("108.5w"), -108.5);
    EXPECT_EQ(parseCoordinate("N31.9"), 31.9);
    EXPECT_EQ(parseCoordinate("S 31.9"), -31.9);
    EXPECT_EQ(parseCoordinate("31.9 S"), -31.9);
    EXPECT_EQ(parseCoordinate("+108.5E"), 108.5);
    EXPECT_EQ(parseCoordinate("N: 31.9"), 31.9);
    EXPECT_EQ(parseCoordinate("东经108.5"), 108.5);
    EXPECT_EQ(parseCoordinate("西经108.5"), -108.5);
    EXPECT_EQ(parseCoordinate("北纬31.9"), 31.9);
    EXPECT_EQ(parseCoordinate("南纬31.9"), -31.9);
    EXPECT_EQ(parseCoordinate("东108.5"), 108.5);
    EXPECT_EQ(parseCoordinate("西108.5"), -108.5);
    EXPECT_EQ(parseCoordinate("北31.9"), 31.9);
    EXPECT_EQ(parseCoordinate("南31.9"), -31.9);
    EXPECT_EQ(parseCoordinate("108.5东"), 108.5);
    EXPECT_EQ(parseCoordinate("31.9 南纬"), -31.9);
    EXPECT_EQ(parseCoordinate("东经：108.5"), 108.5);
    EXPECT_EQ(parseCoordinate("東經108.5"), 108.5);
    EXPECT_EQ(parseCoordinate("北緯31.9"), 31.9);
}

TEST(CoordinateText, DegreesMinutesSecondsForms) {
    EXPECT_EQ(parseCoordinate("108°23'15.2\""), kDms);
    EXPECT_EQ(parseCoordinate("108°23′15.2″"), kDms);
    EXPECT_EQ(parseCoordinate("108° 23′ 15.2″"), kDms);
    EXPECT_EQ(parseCoordinate("108º23’15.2”"), kDms);   // ordinal indicator and curly quotes
    EXPECT_EQ(parseCoordinate("108°23'15.2''"), kDms);  // two primes for seconds
    EXPECT_EQ(parseCoordinate("108 23 15.2"), kDms);
    EXPECT_EQ(parseCoordinate("108度23分15.2秒"), kDms);
    EXPECT_EQ(parseCoordinate("108:23:15.2"), kDms);
    EXPECT_EQ(parseCoordinate("108°23'15.2"), kDms);  // the last mark left off
    EXPECT_EQ(parseCoordinate("108°23'15.2\"E"), kDms);
    EXPECT_EQ(parseCoordinate("E108°23'15.2\""), kDms);
    EXPECT_EQ(parseCoordinate("东经108°23′15.2″"), kDms);
    EXPECT_EQ(parseCoordinate("-108°23'15.2\""), -kDms);
    EXPECT_EQ(parseCoordinate("108°23'15.2\" W"), -kDms);

    EXPECT_EQ(parseCoordinate("108度23分15秒"), 108.0 + 23.0 / 60.0 + 15.0 / 3600.0);
    EXPECT_EQ(parseCoordinate("108度23.5分"), 108.0 + 23.5 / 60.0);
    EXPECT_EQ(parseCoordinate("108度23"), 108.0 + 23.0 / 60.0);
    EXPECT_EQ(parseCoordinate("108°23.25'"), 108.0 + 23.25 / 60.0);
    EXPECT_EQ(parseCoordinate("108 23.25"), 108.0 + 23.25 / 60.0);
    EXPECT_EQ(parseCoordinate("108:23.25"), 108.0 + 23.25 / 60.0);
    EXPECT_EQ(parseCoordinate("108°15\""), 108.0 + 15.0 / 3600.0);  // minutes may be left out
    EXPECT_EQ(parseCoordinate("北纬31°54′"), 31.0 + 54.0 / 60.0);
    EXPECT_EQ(parseCoordinate("108.0 30"), 108.5);  // 108.0 is a whole number of degrees
}

TEST(CoordinateText, ExactSexagesimalArithmetic) {
    const auto v = parseCoordinate("108°23'15.2\"");
    ASSERT_TRUE(v);
    EXPECT_NEAR(*v, 108.0 + 23.0 / 60.0 + 15.2 / 3600.0, 1e-12);
    EXPECT_NEAR(*parseCoordinate("29°33′46.8″"), 29.563, 1e-12);
    EXPECT_NEAR(*parseCoordinate("0°0′0.36″"), 0.0001, 1e-15);
    EXPECT_NEAR(*parseCoordinate("179:59:59.9999"), 180.0 - 0.0001 / 3600.0, 1e-12);
}

TEST(CoordinateText, RejectsMinutesAndSecondsOutOfRange) {
    EXPECT_EQ(rejection("108°75'"), "minutes 75 are not below 60");
    EXPECT_EQ(rejection("108度75分"), "minutes 75 are not below 60");
    EXPECT_EQ(rejection("108 60 0"), "minutes 60 are not below 60");
    EXPECT_EQ(rejection("108:23:60"), "seconds 60 are not below 60");
    EXPECT_EQ(rejection("108°23'75.5\""), "seconds 75.5 are not below 60");
    EXPECT_EQ(rejection("108°23.5'15\""), "minutes 23.5 are not a whole number but seconds follow");
    EXPECT_EQ(rejection("108.5°23'"), "degrees 108.5 are not a whole number but minutes follow");
}

TEST(CoordinateText, RejectsOutOfRangeValues) {
    EXPECT_EQ(rejection("200"), "200 degrees are beyond 180");
    EXPECT_EQ(rejection("3512345.6"), "3512345.6 degrees are beyond 180");  // a projected coordinate
    EXPECT_EQ(rejection("N95"), "95 degrees are beyond 90");
    EXPECT_EQ(rejection("南纬90.5"), "90.5 degrees are beyond 90");
    EXPECT_EQ(rejection("180"), "accepted");
    EXPECT_EQ(rejection("S90"), "accepted");
}

TEST(CoordinateText, RejectsEmptyAndGarbage) {
    EXPECT_EQ(rejection(""), "empty");
    EXPECT_EQ(rejection("   "), "empty");
    EXPECT_EQ(rejection("\u3000"), "empty");
    EXPECT_EQ(rejection("abc"), "unexpected character 'a'");
    EXPECT_EQ(rejection("108.5m"), "unexpected character 'm'");
    EXPECT_EQ(rejection("约108.5"), "unexpected character '约'");
    EXPECT_EQ(rejection("(108.5)"), "unexpected character '('");
    EXPECT_EQ(rejection("108.5.3"), "malformed number '108.5.3'");
    EXPECT_EQ(rejection("."), "malformed number '.'");
    EXPECT_EQ(rejection("\xff"
                        "108"),
              "not valid UTF-8 (byte 1)");
    EXPECT_EQ(rejection("108\xe5\xba"), "not valid UTF-8 (byte 4)");
    EXPECT_EQ(rejection("°"), "no number");
    EXPECT_EQ(rejection("E"), "no number");
    EXPECT_EQ(rejection("-"), "no number");
}

TEST(CoordinateText, RejectsNumbersThatDoNotFormDms) {
    EXPECT_EQ(rejection("108.5 31.9"), "degrees 108.5 are not a whole number but minutes follow");
    EXPECT_EQ(rejection("108 23 15 2"), "4 numbers do not form degrees, minutes and seconds");
    EXPECT_EQ(rejection("108.5, 31.9"), "contains the separator ',' (is it a longitude and latitude pair?)");
    EXPECT_EQ(rejection("108 23'"), "the number 108 has no °, ′ or ″ mark while others do");
    EXPECT_EQ(rejection("23'15\""), "minutes 23 come without degrees");
    EXPECT_EQ(rejection("108°23°"), "degrees 23 come after degrees");
    EXPECT_EQ(rejection("108°15\"23'"), "minutes 23 come after seconds");
    EXPECT_EQ(rejection("108°23'15\"7"), "the number 7 follows seconds");
    EXPECT_EQ(rejection("108°'"), "the mark ''' follows no number");
    EXPECT_EQ(rejection("108:23:"), "nothing after the last ':'");
    EXPECT_EQ(rejection("108::23"), "':' is out of place in a degrees:minutes:seconds value");
    EXPECT_EQ(rejection("108:23:15:2"), "more than three ':'-separated numbers");
    EXPECT_EQ(rejection("108°23:15"), "mixes ':' with degree, minute or second marks");
}

TEST(CoordinateText, RejectsConflictingSignsAndLabels) {
    EXPECT_EQ(rejection("E108.5N"), "has two direction labels, E and N");
    EXPECT_EQ(rejection("108 E 23"), "the direction label E is neither at the start nor at the end");
    EXPECT_EQ(rejection("-108.5W"), "has both a minus sign and the direction label W; give one of them");
    EXPECT_EQ(rejection("西经-108.5"), "has both a minus sign and the direction label 西经; give one of them");
    EXPECT_EQ(rejection("108-5"), "the sign '-' may only precede the first number");
    EXPECT_EQ(rejection("--108"), "the sign '-' may only precede the first number");
    EXPECT_EQ(rejection("1e5"), "the direction label e is neither at the start nor at the end");
}

TEST(CoordinateText, WhyIsOptionalAndUntouchedOnSuccess) {
    EXPECT_EQ(parseCoordinate("garbage"), std::nullopt);
    EXPECT_EQ(parseLonLatCell("garbage"), std::nullopt);
    std::string why = "previous";
    EXPECT_TRUE(parseCoordinate("108.5", &why));
    EXPECT_EQ(why, "previous");
}

TEST(CoordinateText, CellsWithSeparators) {
    expectCell("108.5, 31.9", 108.5, 31.9);
    expectCell("108.5,31.9", 108.5, 31.9);
    expectCell("108.5，31.9", 108.5, 31.9);  // full-width comma
    expectCell("108.5；31.9", 108.5, 31.9);  // full-width semicolon
    expectCell("108.5、31.9", 108.5, 31.9);
    expectCell("１０８．５，３１．９", 108.5, 31.9);
    expectCell(" 108°23'15.2\" , 31°54' ", kDms, 31.9);
    expectCell("-108.5, -31.9", -108.5, -31.9);
    // Unlabelled values are longitude, latitude, even when that looks swapped: the range checks judge that.
    expectCell("31.9, 108.5", 31.9, 108.5);
}

TEST(CoordinateText, CellsSeparatedBySpacesOnly) {
    expectCell("108.5 31.9", 108.5, 31.9);
    expectCell("108.5\u300031.9", 108.5, 31.9);
    expectCell("108 30 31 54", 108.5, 31.9);
    expectCell("108 23 15.2 31 54 0", kDms, 31.9);
    expectCell("108:23:15.2 31:54:00", kDms, 31.9);
    expectCell("108°23′15.2″ 31°54′", kDms, 31.9);
    expectCell("108°23′15.2″31°54′", kDms, 31.9);
    expectCell("108度30分 31度54分", 108.5, 31.9);
    expectCell("108.5 -31.9", 108.5, -31.9);
    expectCell("108:30 31.9", 108.5, 31.9);  // colons bind, so the space ends the longitude
}

TEST(CoordinateText, CellsWithLabelsHonourThem) {
    expectCell("E108°30' N31°54'", 108.5, 31.9);
    expectCell("E108°30'N31°54'", 108.5, 31.9);
    expectCell("N31°54' E108°30'", 108.5, 31.9);
    expectCell("108°30'E 31°54'N", 108.5, 31.9);
    expectCell("31.9N 108.5E", 108.5, 31.9);
    expectCell("北纬31.9 东经108.5", 108.5, 31.9);
    expectCell("东经108.5 北纬31.9", 108.5, 31.9);
    expectCell("北纬31.9，东经108.5", 108.5, 31.9);
    expectCell("东经108°23′15.2″，北纬31°54′", kDms, 31.9);
    expectCell("W 73.5 S 12.25", -73.5, -12.25);
    // One label and a separator: the other value takes the other axis.
    expectCell("31.9N, 108.5", 108.5, 31.9);
    expectCell("108.5, N31.9", 108.5, 31.9);
    expectCell("31.9, E108.5", 108.5, 31.9);
}

TEST(CoordinateText, CellRejectionsNameTheValue) {
    EXPECT_EQ(cellRejection(""), "empty");
    EXPECT_EQ(cellRejection("108.5"), "only one number; expected longitude and latitude");
    EXPECT_EQ(cellRejection("108.5 31.9 4"), "3 numbers cannot be split into longitude and latitude");
    EXPECT_EQ(cellRejection("108.5, 31.9, 4"), "2 separators; expected one between longitude and latitude");
    EXPECT_EQ(cellRejection("108.5, "), "nothing after ','");
    EXPECT_EQ(cellRejection("，31.9"), "nothing before ','");
    EXPECT_EQ(cellRejection("108.5, 31°75'"), "latitude: minutes 75 are not below 60");
    EXPECT_EQ(cellRejection("N31°75' E108.5"), "latitude: minutes 75 are not below 60");
    EXPECT_EQ(cellRejection("E108°61' N31.9"), "longitude: minutes 61 are not below 60");
    EXPECT_EQ(cellRejection("108.5x, 31.9"), "unexpected character 'x'");
    EXPECT_EQ(cellRejection("108.5, abc"), "unexpected character 'a'");
    EXPECT_EQ(cellRejection("108.5, N95"), "latitude: 95 degrees are beyond 90");
    EXPECT_EQ(cellRejection("E108.5 E31.9"), "both values are labelled as longitude (E, E)");
    EXPECT_EQ(cellRejection("北纬31.9，南纬12"), "both values are labelled as latitude (北纬, 南纬)");
    EXPECT_EQ(cellRejection("108.5E 31.9"),
              "only one value is labelled (E); label both or separate them with a comma");
    EXPECT_EQ(cellRejection("E108.5 N31.9 E"), "3 direction labels; expected two");
    EXPECT_EQ(cellRejection("108.5 E N 31.9"),
              "cannot tell which direction label belongs to which value; separate them with a comma");
    EXPECT_EQ(cellRejection("108°30' 31.9"),
              "cannot tell where the longitude ends and the latitude begins; separate them with a comma");
}
