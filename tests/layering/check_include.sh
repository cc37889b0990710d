#!/usr/bin/env bash
# Compiles one #include line with a layer's own include directories and checks
# the outcome: "visible" expects it to compile, "hidden" expects the compiler
# to report that the header does not exist (any other failure is a failure).
#   check_include.sh visible|hidden HEADER COMPILER [-I...]...
set -uo pipefail
expect=$1 header=$2 compiler=$3
shift 3
output=$(printf '#include "%s"\n' "$header" | "$compiler" -std=c++20 -fsyntax-only "$@" -x c++ - 2>&1)
status=$?
if [ "$expect" = visible ]; then
  [ "$status" -eq 0 ] && exit 0
  echo "expected $header to be visible, but:"; echo "$output"; exit 1
fi
if [ "$status" -ne 0 ] && grep -q "$header: No such file or directory" <<<"$output"; then exit 0; fi
echo "expected $header to be hidden from this layer, but the compiler said (exit $status):"; echo "$output"; exit 1
