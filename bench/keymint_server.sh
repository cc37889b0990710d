# Sourced by the bench shell scripts: starts build/keymint (or $KEYMINT_BIN)
# on a free loopback port with temporary data and keys directories, stops it
# and removes them on exit, and logs in as its first admin.
# Sets WORK, PID, URL and ADMIN (a bearer token); defines json KEY (reads one
# member of the JSON object on stdin). Extra KEYMINT_* settings come from the
# caller's environment.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${KEYMINT_BIN:-$BENCH_ROOT/build/keymint}"
WORK="$(mktemp -d)"
BENCH_PASSWORD="bench-password-123"
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

cd "$WORK"
KEYMINT_ADMIN_PASSWORD="$BENCH_PASSWORD" KEYMINT_ADMIN_EMAIL=admin@bench.local \
  "$BIN" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" --keys-dir "$WORK/keys" \
  ${KEYMINT_THREADS:+--threads "$KEYMINT_THREADS"} 2>"$WORK/log" &
PID=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/log" && break; sleep 0.1; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/log" | head -1)
ADMIN=$(curl -s "$URL/api/v1/token" -H 'Content-Type: application/json' \
  -d "{\"grantType\":\"password\",\"username\":\"admin@bench.local\",\"password\":\"$BENCH_PASSWORD\"}" | json accessToken)
