#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests (CTest fixture
# "postgres: start"): a fresh cluster, listening on 127.0.0.1 on a free
# ephemeral port, with its unix socket beside it, fsync off (the data is
# thrown away). Writes the server's URL to STATE_DIR/url, where the tests
# read it (KEYMINT_TEST_POSTGRES_URL_FILE).
#
#   start.sh STATE_DIR        (STATE_DIR: <build>/postgres)
#
# Runs the server as the `postgres` user when run as root (initdb refuses
# root). That user must reach the data directory: when it cannot traverse
# the build folder, the cluster goes to /tmp/keymint-pg-<uid>-<hash of
# STATE_DIR> instead (stop.sh finds it there too).
#
# Without Debian's server binaries (/usr/lib/postgresql/*/bin) it says so,
# writes no URL and succeeds: the PostgreSQL tests then skip with the same words.
set -euo pipefail
state_dir="$1"
mkdir -p "$state_dir"
rm -f "$state_dir/url"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed: skipping the PostgreSQL tests (install postgresql, see scripts/common.sh)"
  exit 0
fi

pg_stop_cluster  # one left running by an interrupted run
rm -rf "$pg_data" "$pg_sock"
mkdir -p "$pg_root" "$pg_sock"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_root" "$pg_sock"; fi
pg_as_server "$pg_bin/initdb" -D "$pg_data" -U keymint -A trust -E UTF8 --locale=C --no-sync >"$pg_root/initdb.log" 2>&1 ||
  { cat "$pg_root/initdb.log"; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 40000))
}

for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if pg_as_server "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_root/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_sock -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=300" >/dev/null; then
    echo "postgres://keymint@127.0.0.1:$port/postgres" >"$state_dir/url"
    echo "PostgreSQL started on 127.0.0.1:$port (data: $pg_data)"
    exit 0
  fi
  echo "PostgreSQL did not start on port $port (attempt $attempt):"
  tail -5 "$pg_root/server.log" || true
done
exit 1
