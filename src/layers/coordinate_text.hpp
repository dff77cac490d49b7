// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

// Coordinates as people type them into ledgers and spreadsheets: decimal or sexagesimal degrees, with ASCII or
// full-width characters, degree/minute/second marks or Chinese 度分秒, and hemisphere letters or Chinese
// directions. The accepted forms are listed in docs/datums.md. Input is UTF-8; both functions are pure.
namespace ecozone::layers {

// Parses one coordinate into signed decimal degrees (W and S negative). Accepts, for example, "108.3876",
// " 108.5 ", "１０８．５", "-29.5", "E108.5", "108.5E", "东经108.5", "南纬12", "108°23'15.2\"", "108°23′15.2″",
// "108 23 15.2", "108度23分15秒", "108度23.5分", "108:23:15.2", "108°23.25'". Degrees must be whole when minutes
// follow, and minutes whole when seconds follow; minutes and seconds must be below 60; the result must lie within
// ±180 (±90 when labelled N/S). On failure returns nothing and, when `why` is given, stores a one-line reason
// there ("minutes 75 are not below 60"); `why` is left alone on success.
std::optional<double> parseCoordinate(std::string_view text, std::string* why = nullptr);

// Parses a cell holding both longitude and latitude and returns them as (longitude, latitude). The two values are
// separated by a comma (ASCII or full-width), a semicolon or 、, or only by spaces when that is unambiguous
// ("108.5 31.9", "108 30 0 31 54 0", "108°30′ 31°54′"). Labels are honoured whatever their order
// ("北纬31.9 东经108.5", "N31°54' E108°30'"); unlabelled values are taken as longitude then latitude, with no
// guessing from their ranges: the caller's range and area checks decide whether a pair looks swapped. Each value
// is parsed as parseCoordinate parses it. On failure returns nothing and stores the reason in `why`, naming which
// of the two values was wrong.
std::optional<std::pair<double, double>> parseLonLatCell(std::string_view text, std::string* why = nullptr);

}  // namespace ecozone::layers
