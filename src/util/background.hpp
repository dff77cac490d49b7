// SPDX-License-Identifier: MIT
#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/log.hpp"

namespace ecozone {

// Work started on a thread of its own, whose result, exception and log lines are taken up where get() is called:
// its messages come out there, in their order, as if the work had run in place. Destroying an unfinished
// Background waits for the work (and drops its messages).
template <typename T>
class Background {
  public:
    Background() = default;
    template <typename Work>
    explicit Background(Work work) : lines_(std::make_shared<std::vector<std::string>>()) {
        future_ = std::async(std::launch::async, [lines = lines_, work = std::move(work)]() mutable -> T {
            log::Capture capture;
            // Runs when the work returns or throws, before the future is ready.
            struct Keep {
                log::Capture& capture;
                std::vector<std::string>& lines;
                ~Keep() { lines = capture.take(); }
            } keep{capture, *lines};
            return work();
        });
    }

    bool pending() const { return future_.valid(); }

    // Waits, writes the work's log lines and returns its result (or throws its exception). Once only.
    T get() {
        future_.wait();
        log::replay(*lines_);
        lines_->clear();
        return future_.get();
    }

  private:
    std::shared_ptr<std::vector<std::string>> lines_;
    std::future<T> future_;
};

}  // namespace ecozone
