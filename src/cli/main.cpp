// SPDX-License-Identifier: MIT
#include <gdal_priv.h>
#include <sqlite3.h>

#include <iostream>

#include "cli/command.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

const std::vector<CommandEntry>& commands() {
    static const std::vector<CommandEntry> table = {
        {"check", "Run a rule catalogue over a layer set and write every violation", makeCheckCommand},
        {"rules", "List and validate a rule catalogue", makeRulesCommand},
        {"inventory", "List the facilities inside protected areas as a rectification ledger", makeInventoryCommand},
        {"screen", "Screen a proposed project: may it go here, under which rule, how far, on what basis?",
         makeScreenCommand},
        {"map", "Draw the violations on a map: interactive offline HTML, or PNG, SVG, PDF", makeMapCommand},
    };
    return table;
}

}  // namespace ecozone::cli

int main(int argc, char** argv) {
    using namespace ecozone;
    CLI::App app{"ecozone: checks ecological zoning and shoreline controls (Chongqing rule catalogue)", "ecozone"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ecozone 0.1.0");
    std::vector<std::pair<CLI::App*, std::unique_ptr<cli::Command>>> registered;
    for (const auto& entry : cli::commands()) {
        CLI::App* sub = app.add_subcommand(entry.name, entry.description);
        auto command = entry.make();
        command->setUp(*sub);
        registered.emplace_back(sub, std::move(command));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : static_cast<int>(ErrorKind::Usage);
    }
    log::captureLibraryMessages();
    // SQLite counts every allocation under one process-wide mutex, for statistics nothing here reads; with a
    // GeoPackage read on one thread and written on another, the two contended for it. Off before anything
    // (GDAL included) starts SQLite.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    GDALAllRegister();
    try {
        for (auto& [sub, command] : registered)
            if (sub->parsed()) return command->run();
    } catch (const Error& e) {
        log::error(e.what());
        return e.exitCode();
    } catch (const std::exception& e) {
        log::error(std::string("internal error: ") + e.what() + " (please report this)");
        return 70;
    }
    return 0;
}
