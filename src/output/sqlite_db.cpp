// SPDX-License-Identifier: MIT
#include "output/sqlite_db.hpp"

#include <utility>

#include "util/error.hpp"

namespace ecozone::output {

SqliteDb::SqliteDb(const std::filesystem::path& file, std::string failure)
    : file_(file), failure_(std::move(failure)) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(file.string().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) fail();
    // The R-tree's own tables are written directly: a connection in defensive mode would refuse that.
    sqlite3_db_config(db_.get(), SQLITE_DBCONFIG_DEFENSIVE, 0, nullptr);
}

void SqliteDb::exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail();
}

Statement SqliteDb::prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail();
    return Statement(s);
}

void SqliteDb::run(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        fail();
    }
    sqlite3_reset(s);
}

std::string SqliteDb::sayOnFailure(std::string failure) {
    return std::exchange(failure_, std::move(failure));
}

void SqliteDb::fail() {
    throw outputError(failure_ + ": " + (db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
}

std::string sqlQuoted(const std::string& name) {
    std::string q = "\"";
    for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string sqlLiteral(const std::string& text) {
    std::string q = "'";
    for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
    return q + "'";
}

}  // namespace ecozone::output
