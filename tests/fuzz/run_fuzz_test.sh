#!/usr/bin/env bash
# One CTest run of a fuzz target:
#   run_fuzz_test.sh FUZZER NAME FUZZ_SOURCE_DIR WORK_ROOT SECONDS
# replays FUZZ_SOURCE_DIR/regressions/NAME/ (each input once), then fuzzes for
# SECONDS from the seeds in FUZZ_SOURCE_DIR/corpus/NAME/, which are only read:
# new inputs and crash artifacts go to WORK_ROOT/NAME/, never into the tree.
set -euo pipefail
fuzzer=$1 name=$2 source=$3 work=$4/$2 seconds=$5

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
# The targets' scratch directories (RocksDB, keys) go here, and go away with it
# even when a crash kept a target from removing its own.
scratch_base=/dev/shm
[ -d "$scratch_base" ] && [ -w "$scratch_base" ] || scratch_base="${TMPDIR:-/tmp}"
export KEYMINT_FUZZ_SCRATCH="$(mktemp -d "$scratch_base/keymint-fuzz-ctest-$name-XXXXXX")"
trap 'rm -rf "$KEYMINT_FUZZ_SCRATCH"' EXIT
options=(-artifact_prefix="$work/artifacts/" -timeout=25 -rss_limit_mb=2048)
[ -f "$source/dict/$name.dict" ] && options+=(-dict="$source/dict/$name.dict")

if [ -d "$source/regressions/$name" ]; then
  mapfile -t inputs < <(find "$source/regressions/$name" -type f | sort)
  if [ ${#inputs[@]} -gt 0 ]; then
    echo "fuzz: $name: replaying ${#inputs[@]} regression input(s)"
    "$fuzzer" "${options[@]}" "${inputs[@]}"
  fi
fi

echo "fuzz: $name: fuzzing for ${seconds}s"
"$fuzzer" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 "$work/corpus" "$source/corpus/$name"
