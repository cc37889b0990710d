#!/usr/bin/env bash
# Quick load test of token issuance over HTTP with keymint-bench: starts
# keymint on a free loopback port with temporary directories, creates an
# access key and a service account, and drives /api/v1/token and
# /api/v2/token with the key and /api/v1/token with the service account for
# DURATION seconds each (closed loop). For the pinned, repeated comparison
# with the RSA limit and a peer, use bench/run.
#
#   bench/token_load.sh [DURATION=10] [CONNECTIONS=32]
# Needs: a built build/keymint and build/bench/load/keymint-bench, curl, python3.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${1:-10}"; CONNECTIONS="${2:-32}"
LOAD="${KEYMINT_BENCH_BIN:-$ROOT/build/bench/load/keymint-bench}"
source "$ROOT/bench/keymint_server.sh"  # sets WORK, PID, URL, ADMIN, BIN; defines json
KEY=$(curl -s "$URL/api/v1/access-keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"name":"bench"}')
echo "$(echo "$KEY" | json clientId),$(echo "$KEY" | json clientSecret)" > key.txt
ACCOUNT=$(curl -s "$URL/api/v1/service-accounts" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"name":"bench","roles":["Editor"]}')
echo "$(echo "$ACCOUNT" | json clientId),$(echo "$ACCOUNT" | json clientSecret)" > account.txt

echo "keymint $("$BIN" --version) on $(nproc) cores; $CONNECTIONS connections, ${DURATION}s each"
for run in "v1 key.txt" "v2-post key.txt" "v1 account.txt"; do
  set -- $run
  echo "== mode $1, ${2%.txt}"
  "$LOAD" --url "$URL" --mode "$1" --credentials "$2" -c "$CONNECTIONS" -d "$DURATION" --progress off
done
