// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

// The project's logger: diagnostics go to stderr, results never do. GDAL, PROJ and GEOS messages are routed here.
namespace ecozone::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3, Quiet = 4 };

void setLevel(Level level);
Level level();

void debug(std::string_view message);
void info(std::string_view message);
void warning(std::string_view message);
void error(std::string_view message);

// Seconds since the process started, shown on verbose lines.
double elapsed();

// Routes GDAL's and PROJ's own messages through this logger. Call once at start-up.
void captureLibraryMessages();

}  // namespace ecozone::log
