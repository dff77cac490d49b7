// SPDX-License-Identifier: MIT
#include "util/log.hpp"

#include <cpl_error.h>
#include <proj.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace ecozone::log {

namespace {
std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;
const auto g_start = std::chrono::steady_clock::now();

void emit(Level at, const char* tag, std::string_view message) {
    if (at < g_level.load()) return;
    std::lock_guard lock(g_mutex);
    if (g_level.load() == Level::Debug)
        std::fprintf(stderr, "[%8.3fs] %s%.*s\n", elapsed(), tag, static_cast<int>(message.size()),
                     message.data());
    else
        std::fprintf(stderr, "%s%.*s\n", tag, static_cast<int>(message.size()), message.data());
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

double elapsed() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
}

void captureLibraryMessages() {
    CPLSetErrorHandler(onGdalMessage);
    proj_log_func(nullptr, nullptr, onProjMessage);
}

}  // namespace ecozone::log
