// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace ecozone {

// Exceptions are for "cannot go on". Each carries a message that says what was wrong, where (file, layer, feature,
// rule line) and what to do; main() turns the kind into the documented exit code.
enum class ErrorKind {
    Usage = 2,          // bad command line
    Configuration = 3,  // bad layer set, schema or rule catalogue
    Data = 4,           // a source that cannot be opened or read, a missing CRS, an unusable layer
    Output = 5,         // the output cannot be written
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }
    int exitCode() const { return static_cast<int>(kind_); }

  private:
    ErrorKind kind_;
};

inline Error usageError(const std::string& m) {
    return {ErrorKind::Usage, m};
}
inline Error configError(const std::string& m) {
    return {ErrorKind::Configuration, m};
}
inline Error dataError(const std::string& m) {
    return {ErrorKind::Data, m};
}
inline Error outputError(const std::string& m) {
    return {ErrorKind::Output, m};
}

}  // namespace ecozone
