// SPDX-License-Identifier: MIT
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>

namespace ecozone::output {

struct StatementFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// One connection to a GeoPackage that GDAL made, for the jobs SQLite does directly (the rows of a table, its
// spatial index). Every failure is an output error: `failure` (which names the file and what was being written),
// then what SQLite said. The connection is used by one thread at a time, so it is opened without SQLite's own
// mutex.
class SqliteDb {
  public:
    SqliteDb(const std::filesystem::path& file, std::string failure);
    // What a failure says from now on; returns what it said before.
    std::string sayOnFailure(std::string failure);
    void exec(const std::string& sql);
    Statement prepare(const std::string& sql);
    // Runs a bound statement that returns no row, and resets it for the next binding.
    void run(sqlite3_stmt* s);
    [[noreturn]] void fail();
    sqlite3* get() { return db_.get(); }
    const std::filesystem::path& file() const { return file_; }

  private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::filesystem::path file_;
    std::string failure_;
    std::unique_ptr<sqlite3, Closer> db_;
};

// "name" as an SQL identifier, and 'text' as an SQL string literal.
std::string sqlQuoted(const std::string& name);
std::string sqlLiteral(const std::string& text);

}  // namespace ecozone::output
