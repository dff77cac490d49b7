// SPDX-License-Identifier: MIT
#pragma once

#include <cpl_conv.h>

#include <optional>
#include <string>

namespace ecozone {

// A GDAL configuration option set on this thread only, for the life of the object; the thread's own earlier value
// (or none) comes back after. For options GDAL reads when it opens or creates a dataset.
class ThreadGdalOption {
  public:
    ThreadGdalOption(const char* key, const std::string& value) : key_(key) {
        if (const char* old = CPLGetThreadLocalConfigOption(key, nullptr)) old_ = old;
        CPLSetThreadLocalConfigOption(key, value.c_str());
    }
    ~ThreadGdalOption() { CPLSetThreadLocalConfigOption(key_.c_str(), old_ ? old_->c_str() : nullptr); }
    ThreadGdalOption(const ThreadGdalOption&) = delete;
    ThreadGdalOption& operator=(const ThreadGdalOption&) = delete;

  private:
    std::string key_;
    std::optional<std::string> old_;
};

}  // namespace ecozone
