# FindCSV.cmake - locate libcsv (Debian: libcsv-dev), which ships no CMake or pkg-config file.
#
# Defines:
#   CSV_FOUND, CSV_INCLUDE_DIR, CSV_LIBRARY, CSV_VERSION (from CSV_MAJOR/MINOR/RELEASE in csv.h)
#   imported target CSV::CSV
find_path(CSV_INCLUDE_DIR NAMES csv.h)
find_library(CSV_LIBRARY NAMES csv)

if(CSV_INCLUDE_DIR AND EXISTS "${CSV_INCLUDE_DIR}/csv.h")
  file(STRINGS "${CSV_INCLUDE_DIR}/csv.h" _csv_ver REGEX "^#define CSV_(MAJOR|MINOR|RELEASE) ")
  foreach(_part MAJOR MINOR RELEASE)
    string(REGEX REPLACE ".*#define CSV_${_part} +([0-9]+).*" "\\1" _csv_${_part} "${_csv_ver}")
  endforeach()
  set(CSV_VERSION "${_csv_MAJOR}.${_csv_MINOR}.${_csv_RELEASE}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CSV
  REQUIRED_VARS CSV_LIBRARY CSV_INCLUDE_DIR
  VERSION_VAR CSV_VERSION)

if(CSV_FOUND AND NOT TARGET CSV::CSV)
  add_library(CSV::CSV UNKNOWN IMPORTED)
  set_target_properties(CSV::CSV PROPERTIES
    IMPORTED_LOCATION "${CSV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")
endif()
mark_as_advanced(CSV_INCLUDE_DIR CSV_LIBRARY)
