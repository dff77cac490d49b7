// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// While a Capture lives, the messages of its thread (its own, and GDAL's and PROJ's on it) are held, in order,
// instead of written, so that work done on another thread can be reported where its result is taken up, in the
// same order whatever the threads did. Lines are formatted when logged (the -v time is that of the work).
class Capture {
  public:
    Capture();
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    // The lines held so far; the capture goes on.
    std::vector<std::string> take();
    // A formatted line, held (the logger calls this).
    void hold(std::string line) { lines_.push_back(std::move(line)); }

  private:
    std::vector<std::string> lines_;
    Capture* outer_;
};

// Writes lines a Capture held.
void replay(const std::vector<std::string>& lines);

// Routes GDAL's and PROJ's own messages through this logger. Call once at start-up.
void captureLibraryMessages();

}  // namespace ecozone::log
