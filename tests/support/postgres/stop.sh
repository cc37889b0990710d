#!/usr/bin/env bash
# Stops the tests' PostgreSQL server (CTest fixture "postgres: stop") and
# removes its data.
#
#   stop.sh STATE_DIR
set -euo pipefail
state_dir="$1"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
rm -f "$state_dir/url"
[ -n "$pg_bin" ] || exit 0
pg_stop_cluster
rm -rf "$pg_data" "$pg_sock"
