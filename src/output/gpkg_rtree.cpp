// SPDX-License-Identifier: MIT
#include "output/gpkg_rtree.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "output/sqlite_db.hpp"
#include "util/error.hpp"

namespace ecozone::output {

namespace {

// SQLite's rounding of an R-tree coordinate to a 32-bit float (rtreeValueDown / rtreeValueUp in its rtree.c):
// the float nearest the double, moved one step outwards by a relative 2^-23 where it lies inside the box.
constexpr double kTowards = 1.0 - 1.0 / 8388608.0;
constexpr double kAway = 1.0 + 1.0 / 8388608.0;

float roundDown(double d) {
    float f = static_cast<float>(d);
    if (f > d) f = static_cast<float>(d * (d < 0 ? kAway : kTowards));
    return f;
}

float roundUp(double d) {
    float f = static_cast<float>(d);
    if (f < d) f = static_cast<float>(d * (d < 0 ? kTowards : kAway));
    return f;
}

// A node in SQLite's R-tree format (rtree.c): a 2-byte depth (the root's only) and a 2-byte cell count, then per
// cell an 8-byte id (a row's fid in a leaf, a child's node number above) and the four coordinates as 32-bit
// floats, all big-endian, the rest of the fixed-size node zero.
class NodeBlob {
  public:
    explicit NodeBlob(std::size_t size) : bytes_(size, 0) {}
    void reset(bool root, int depth, std::size_t cells) {
        std::fill(bytes_.begin(), bytes_.end(), 0);
        put16(0, root ? static_cast<unsigned>(depth) : 0u);
        put16(2, static_cast<unsigned>(cells));
        next_ = 4;
    }
    void add(const RtreeBox& b) {
        put64(next_, static_cast<std::uint64_t>(b.id));
        putFloat(next_ + 8, b.minx);
        putFloat(next_ + 12, b.maxx);
        putFloat(next_ + 16, b.miny);
        putFloat(next_ + 20, b.maxy);
        next_ += 24;
    }
    const unsigned char* data() const { return bytes_.data(); }
    int size() const { return static_cast<int>(bytes_.size()); }

  private:
    void put16(std::size_t at, unsigned v) {
        bytes_[at] = static_cast<unsigned char>(v >> 8);
        bytes_[at + 1] = static_cast<unsigned char>(v);
    }
    void put32(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_[at + i] = static_cast<unsigned char>(v >> (24 - 8 * i));
    }
    void put64(std::size_t at, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes_[at + i] = static_cast<unsigned char>(v >> (56 - 8 * i));
    }
    void putFloat(std::size_t at, float f) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &f, sizeof bits);
        put32(at, bits);
    }
    std::vector<unsigned char> bytes_;
    std::size_t next_ = 4;
};

RtreeBox unionOf(const RtreeBox* first, const RtreeBox* last, std::int64_t id) {
    RtreeBox u = *first;
    for (const RtreeBox* b = first + 1; b != last; ++b) {
        u.minx = std::min(u.minx, b->minx);
        u.maxx = std::max(u.maxx, b->maxx);
        u.miny = std::min(u.miny, b->miny);
        u.maxy = std::max(u.maxy, b->maxy);
    }
    u.id = id;
    return u;
}

// Sorts boxes by their centre along one axis, stably, so the tree depends on its input alone: a radix sort on
// the centre as a 32-bit float (two passes of 16 bits), a comparison sort for a few boxes.
template <bool kX>
void radixByCentre(RtreeBox* first, RtreeBox* last, std::vector<RtreeBox>& scratch) {
    auto key = [](const RtreeBox& b) {
        const float centre = (kX ? b.minx + b.maxx : b.miny + b.maxy) + 0.0f;  // -0 is +0, as compared
        std::uint32_t bits = 0;
        std::memcpy(&bits, &centre, sizeof bits);
        return bits & 0x80000000u ? ~bits : bits | 0x80000000u;  // orders as the floats do
    };
    const auto n = static_cast<std::size_t>(last - first);
    if (n < 4096) {
        std::stable_sort(first, last, [&](const RtreeBox& a, const RtreeBox& b) { return key(a) < key(b); });
        return;
    }
    scratch.resize(n);
    RtreeBox* from = first;
    RtreeBox* to = scratch.data();
    std::vector<std::size_t> start(65537);
    for (const int shift : {0, 16}) {
        std::fill(start.begin(), start.end(), 0);
        for (std::size_t i = 0; i < n; ++i) ++start[((key(from[i]) >> shift) & 0xffffu) + 1];
        for (std::size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
        for (std::size_t i = 0; i < n; ++i) to[start[(key(from[i]) >> shift) & 0xffffu]++] = from[i];
        std::swap(from, to);
    }
    // Two passes: the boxes are back where they started.
}

}  // namespace

void detail::sortByCentre(std::vector<RtreeBox>& boxes, bool alongX) {
    std::vector<RtreeBox> scratch;
    if (alongX)
        radixByCentre<true>(boxes.data(), boxes.data() + boxes.size(), scratch);
    else
        radixByCentre<false>(boxes.data(), boxes.data() + boxes.size(), scratch);
}

RtreeBox RtreeBox::of(std::int64_t id, double minx, double maxx, double miny, double maxy) {
    return {id, roundDown(minx), roundUp(maxx), roundDown(miny), roundUp(maxy)};
}

void writeRtreeIndex(const std::filesystem::path& file, const std::string& table, const std::string& fidColumn,
                     const std::string& column, std::vector<RtreeBox> boxes) {
    SqliteDb db(file, "cannot write the spatial index of `" + file.string() + "`");
    db.exec("PRAGMA synchronous = OFF");
    db.exec("BEGIN");
    writeRtreeIndex(db, table, fidColumn, column, std::move(boxes));
    db.exec("COMMIT");
}

void writeRtreeIndex(SqliteDb& db, const std::string& table, const std::string& fidColumn,
                     const std::string& column, std::vector<RtreeBox> boxes) {
    const std::filesystem::path& file = db.file();
    const std::string rtree = "rtree_" + table + "_" + column;
    // Failures say what they said when the index had a connection of its own.
    struct Saying {
        SqliteDb& db;
        std::string before;
        ~Saying() { db.sayOnFailure(std::move(before)); }
    } saying{db, db.sayOnFailure("cannot write the spatial index of `" + file.string() + "`")};
    db.exec("CREATE VIRTUAL TABLE " + sqlQuoted(rtree) + " USING rtree(id, minx, maxx, miny, maxy)");

    // SQLite fixed the node size when it made the (empty) root: every node has that size.
    std::size_t nodeSize = 0;
    {
        Statement s = db.prepare("SELECT length(data) FROM " + sqlQuoted(rtree + "_node") + " WHERE nodeno = 1");
        if (sqlite3_step(s.get()) != SQLITE_ROW)
            throw outputError("cannot write the spatial index of `" + file.string() +
                              "`: SQLite made no root node for " + rtree);
        nodeSize = static_cast<std::size_t>(sqlite3_column_int64(s.get(), 0));
    }
    const std::size_t fanout = nodeSize >= 4 ? (nodeSize - 4) / 24 : 0;
    if (fanout < 2)
        throw outputError("cannot write the spatial index of `" + file.string() +
                          "`: SQLite made R-tree nodes of " + std::to_string(nodeSize) + " bytes");

    if (!boxes.empty()) {
        Statement node = db.prepare("INSERT OR REPLACE INTO " + sqlQuoted(rtree + "_node") + " VALUES (?, ?)");
        Statement parent = db.prepare("INSERT INTO " + sqlQuoted(rtree + "_parent") + " VALUES (?, ?)");
        NodeBlob blob(nodeSize);
        std::vector<std::pair<std::int64_t, std::int64_t>> leafOf;  // (fid, leaf node), written in fid order
        leafOf.reserve(boxes.size());
        std::int64_t nextNode = 2;  // the root is node 1
        auto writeNode = [&](std::int64_t number, int depth, const RtreeBox* first, const RtreeBox* last) {
            blob.reset(number == 1, depth, static_cast<std::size_t>(last - first));
            for (const RtreeBox* b = first; b != last; ++b) {
                blob.add(*b);
                if (depth == 0) {
                    leafOf.emplace_back(b->id, number);
                } else {
                    sqlite3_bind_int64(parent.get(), 1, b->id);
                    sqlite3_bind_int64(parent.get(), 2, number);
                    db.run(parent.get());
                }
            }
            sqlite3_bind_int64(node.get(), 1, number);
            sqlite3_bind_blob(node.get(), 2, blob.data(), blob.size(), SQLITE_STATIC);
            db.run(node.get());
        };

        // Sort-tile-recursive packing, level by level: the level's nodes are as equal in size as the fanout
        // allows, cut from vertical slices of about sqrt(nodes) nodes each, every slice ordered by latitude.
        std::vector<RtreeBox> level = std::move(boxes), scratch;
        int height = 0;
        while (level.size() > fanout) {
            const std::size_t n = level.size();
            const std::size_t nodes = (n + fanout - 1) / fanout;
            const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
            const std::size_t nodesPerSlice = (nodes + slices - 1) / slices;
            auto nodeStart = [&](std::size_t k) { return k * (n / nodes) + std::min(k, n % nodes); };
            radixByCentre<true>(level.data(), level.data() + n, scratch);
            for (std::size_t k = 0; k < nodes; k += nodesPerSlice)
                radixByCentre<false>(level.data() + nodeStart(k),
                                     level.data() + nodeStart(std::min(nodes, k + nodesPerSlice)), scratch);
            std::vector<RtreeBox> up;
            up.reserve(nodes);
            for (std::size_t k = 0; k < nodes; ++k) {
                const RtreeBox* first = level.data() + nodeStart(k);
                const RtreeBox* last = level.data() + nodeStart(k + 1);
                const std::int64_t number = nextNode++;
                writeNode(number, height, first, last);
                up.push_back(unionOf(first, last, number));
            }
            level = std::move(up);
            ++height;
        }
        writeNode(1, height, level.data(), level.data() + level.size());

        std::sort(leafOf.begin(), leafOf.end());
        for (std::size_t i = 1; i < leafOf.size(); ++i)
            if (leafOf[i].first == leafOf[i - 1].first)
                throw std::logic_error("two boxes for row " + std::to_string(leafOf[i].first) + " of " + table);
        // In statements of many rows each: SQLite's cost is mostly per statement step. OR IGNORE (the fids are
        // distinct) spares each statement a journal of the pages it changes, which SQLite keeps for a statement
        // that may abort halfway: 64 MB of temporary file for 221k rows in pages of 64 KiB.
        constexpr std::size_t kRowsPerInsert = 256;
        auto insertOf = [&](std::size_t rows) {
            std::string sql = "INSERT OR IGNORE INTO " + sqlQuoted(rtree + "_rowid") + " VALUES (?, ?)";
            for (std::size_t i = 1; i < rows; ++i) sql += ",(?, ?)";
            return db.prepare(sql);
        };
        Statement many = insertOf(kRowsPerInsert);
        for (std::size_t at = 0; at < leafOf.size(); at += kRowsPerInsert) {
            const std::size_t rows = std::min(kRowsPerInsert, leafOf.size() - at);
            Statement last;
            sqlite3_stmt* s = many.get();
            if (rows < kRowsPerInsert) s = (last = insertOf(rows)).get();
            for (std::size_t i = 0; i < rows; ++i) {
                sqlite3_bind_int64(s, static_cast<int>(2 * i + 1), leafOf[at + i].first);
                sqlite3_bind_int64(s, static_cast<int>(2 * i + 2), leafOf[at + i].second);
            }
            db.run(s);
        }
    }
    // The registration and triggers GDAL writes for the extension (GeoPackage 1.2 and later), word for word.
    const std::string t = sqlQuoted(table), c = sqlQuoted(column), r = sqlQuoted(rtree);
    db.exec(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT "
        "NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
        "extension_name))");
    db.exec("INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,scope) VALUES (" +
            sqlLiteral(table) + ", " + sqlLiteral(column) +
            ", 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')");
    const std::string fid = sqlQuoted(fidColumn);
    const std::string box = "(NEW." + fid + ",ST_MinX(NEW." + c + "), ST_MaxX(NEW." + c + "),ST_MinY(NEW." + c +
                            "), ST_MaxY(NEW." + c + "))";
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_insert") + " AFTER INSERT ON " + t + " WHEN (new." + c +
            " NOT NULL AND NOT ST_IsEmpty(NEW." + c + ")) BEGIN INSERT OR REPLACE INTO " + r + " VALUES " + box +
            "; END");
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_update1") + " AFTER UPDATE OF " + c + " ON " + t +
            " WHEN OLD." + fid + " = NEW." + fid + " AND (NEW." + c + " NOTNULL AND NOT ST_IsEmpty(NEW." + c +
            ")) BEGIN INSERT OR REPLACE INTO " + r + " VALUES " + box + "; END");
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_update2") + " AFTER UPDATE OF " + c + " ON " + t +
            " WHEN OLD." + fid + " = NEW." + fid + " AND (NEW." + c + " ISNULL OR ST_IsEmpty(NEW." + c +
            ")) BEGIN DELETE FROM " + r + " WHERE id = OLD." + fid + "; END");
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_update3") + " AFTER UPDATE ON " + t + " WHEN OLD." + fid +
            " != NEW." + fid + " AND (NEW." + c + " NOTNULL AND NOT ST_IsEmpty(NEW." + c +
            ")) BEGIN DELETE FROM " + r + " WHERE id = OLD." + fid + "; INSERT OR REPLACE INTO " + r + " VALUES " +
            box + "; END");
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_update4") + " AFTER UPDATE ON " + t + " WHEN OLD." + fid +
            " != NEW." + fid + " AND (NEW." + c + " ISNULL OR ST_IsEmpty(NEW." + c + ")) BEGIN DELETE FROM " + r +
            " WHERE id IN (OLD." + fid + ", NEW." + fid + "); END");
    db.exec("CREATE TRIGGER " + sqlQuoted(rtree + "_delete") + " AFTER DELETE ON " + t + " WHEN old." + c +
            " NOT NULL BEGIN DELETE FROM " + r + " WHERE id = OLD." + fid + "; END");
}

}  // namespace ecozone::output
