// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ecozone {

// Runs work(worker, chunk, begin, end) over [0, n) in chunks of `chunk` items on `workers.size()` threads (at most
// one per chunk). Chunks are claimed in order, and each writes only its own results, so callers that concatenate
// per-chunk results get the same output whatever the thread count. The first exception stops the run and is
// rethrown here. With `progress`, the calling thread reports (done, n) about ten times a second instead of
// working.
template <typename WorkerState>
void parallelChunks(std::size_t n, std::size_t chunk, std::vector<WorkerState>& workers,
                    const std::function<void(WorkerState&, std::size_t, std::size_t, std::size_t)>& work,
                    const std::function<void(std::size_t, std::size_t)>& progress = {}) {
    const std::size_t chunks = (n + chunk - 1) / chunk;
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex mutex;
    std::condition_variable finished;
    unsigned finishedThreads = 0;
    auto run = [&](WorkerState& state) {
        try {
            for (std::size_t c = next++; c < chunks && !failed; c = next++) {
                const std::size_t begin = c * chunk, end = std::min(n, begin + chunk);
                work(state, c, begin, end);
                done += end - begin;
            }
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!error) error = std::current_exception();
            failed = true;
        }
        std::lock_guard lock(mutex);
        ++finishedThreads;
        finished.notify_all();
    };
    const unsigned active =
        static_cast<unsigned>(std::min<std::size_t>(workers.size(), std::max<std::size_t>(chunks, 1)));
    std::vector<std::thread> pool;
    const unsigned first = progress ? 0 : 1;
    for (unsigned t = first; t < active; ++t) pool.emplace_back(run, std::ref(workers[t]));
    if (progress) {
        std::unique_lock lock(mutex);
        while (
            !finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return finishedThreads == active; })) {
            lock.unlock();
            progress(done, n);
            lock.lock();
        }
    } else {
        run(workers[0]);
    }
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    if (progress) progress(n, n);
}

}  // namespace ecozone
