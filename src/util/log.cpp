// SPDX-License-Identifier: MIT
#include "util/log.hpp"

#include <cpl_error.h>
#include <proj.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>

namespace ecozone::log {

namespace {
std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;
const auto g_start = std::chrono::steady_clock::now();

thread_local Capture* t_capture = nullptr;

void write(const std::string& line) {
    std::lock_guard lock(g_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

void emit(Level at, const char* tag, std::string_view message) {
    if (at < g_level.load()) return;
    std::string line;
    if (g_level.load() == Level::Debug) {
        char stamp[24];
        std::snprintf(stamp, sizeof stamp, "[%8.3fs] ", elapsed());
        line = stamp;
    }
    line.append(tag).append(message).push_back('\n');
    if (t_capture)
        t_capture->hold(std::move(line));
    else
        write(line);
}

void onGdalMessage(CPLErr cls, CPLErrorNum, const char* message) {
    if (cls == CE_Debug) return debug(std::string("GDAL: ") + message);
    // GDAL errors reach the user through the exception the caller raises with context; keep the raw text for -v.
    if (cls == CE_Warning) return warning(std::string("GDAL: ") + message);
    debug(std::string("GDAL error: ") + message);
}

void onProjMessage(void*, int, const char* message) {
    debug(std::string("PROJ: ") + message);
}
}  // namespace

void setLevel(Level level) {
    g_level = level;
}
Level level() {
    return g_level.load();
}

void debug(std::string_view message) {
    emit(Level::Debug, "", message);
}
void info(std::string_view message) {
    emit(Level::Info, "", message);
}
void warning(std::string_view message) {
    emit(Level::Warning, "warning: ", message);
}
void error(std::string_view message) {
    emit(Level::Error, "error: ", message);
}

Capture::Capture() : outer_(t_capture) { t_capture = this; }

Capture::~Capture() { t_capture = outer_; }

std::vector<std::string> Capture::take() { return std::exchange(lines_, {}); }

void replay(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
        if (t_capture)
            t_capture->hold(std::string(line));
        else
            write(line);
    }
}

double elapsed() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
}

void captureLibraryMessages() {
    CPLSetErrorHandler(onGdalMessage);
    proj_log_func(nullptr, nullptr, onProjMessage);
}

}  // namespace ecozone::log
