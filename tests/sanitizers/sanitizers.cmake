# SPDX-License-Identifier: MIT
# Included last from tests/CMakeLists.txt. In the asan build (ECOZONE_SANITIZE, the `asan` preset), every test
# runs with the sanitizers' options: any report fails the test, and the suppressions in this folder silence
# reports that belong to the system libraries (each is explained in its file).
if(NOT ECOZONE_SANITIZE)
  return()
endif()
set(ECOZONE_SANITIZER_ENV
    # abort_on_error: a report is a failure with a core-style exit, never a warning that scrolls by.
    "ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/ubsan.supp:print_stacktrace=1:halt_on_error=1")

# Tests added with add_test in this folder.
get_property(ecozone_tests DIRECTORY PROPERTY TESTS)
set_property(TEST ${ecozone_tests} APPEND PROPERTY ENVIRONMENT ${ECOZONE_SANITIZER_ENV})

# The unit tests are discovered when ctest runs (gtest_discover_tests), and their PROPERTIES cannot carry a list:
# a ctest include file, read after the discovery's, sets the same environment on them.
set(ecozone_sanitizer_include ${CMAKE_CURRENT_BINARY_DIR}/sanitizer_environment.cmake)
file(GENERATE OUTPUT ${ecozone_sanitizer_include} CONTENT
     "if(ecozone_unit_tests_TESTS)\n  set_tests_properties(\${ecozone_unit_tests_TESTS} PROPERTIES ENVIRONMENT \"${ECOZONE_SANITIZER_ENV}\")\nendif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${ecozone_sanitizer_include})
