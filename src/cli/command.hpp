// SPDX-License-Identifier: MIT
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ecozone::cli {

// A subcommand: registers its options on its CLI11 app (parse), then runs with what was parsed (work). Parsing
// touches no file. run() returns the exit code; errors are thrown as ecozone::Error and mapped in main().
class Command {
  public:
    virtual ~Command() = default;
    virtual void setUp(CLI::App& app) = 0;
    virtual int run() = 0;
};

struct CommandEntry {
    const char* name;
    const char* description;
    std::function<std::unique_ptr<Command>()> make;
};

std::unique_ptr<Command> makeCheckCommand();
std::unique_ptr<Command> makeRulesCommand();
std::unique_ptr<Command> makeInventoryCommand();
std::unique_ptr<Command> makeScreenCommand();
std::unique_ptr<Command> makeMapCommand();

// The explicit table of subcommands.
const std::vector<CommandEntry>& commands();

}  // namespace ecozone::cli
