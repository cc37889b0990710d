#!/usr/bin/env bash
# Latency of the ways a client-credentials exchange fails, side by side, at
# POST /api/v2/token (client_secret_post): an unknown client ID, a wrong
# secret, a disabled service account (API.md §3: same answer, about the same
# cost), plus a kmsec_ secret with a bad checksum (refused before the store
# is read) and a successful exchange for scale. Starts keymint on a free
# loopback port with temporary directories, creates an access key and a
# disabled service account, then sends ROUNDS rounds over one keep-alive
# connection, each round one request of every kind in a fresh random order,
# after WARMUP rounds that are not counted. Prints p50/p90/p99 per kind and
# checks that the three failures answered the same status and body.
#
#   bench/failure_timing.sh [ROUNDS=2000] [WARMUP=200]
# Needs: a built build/keymint, curl, python3.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-2000}"; WARMUP="${2:-200}"
# The failure throttles are off: this measures the failure paths themselves,
# thousands of times from one address, which the throttles would cut short
# with 429 (bench/README.md "Hostile clients" measures them).
export KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE=0 KEYMINT_THROTTLE_CLIENT_ADDRESS_PER_MINUTE=0
source "$ROOT/bench/keymint_server.sh"  # sets WORK, PID, URL, ADMIN, BIN; defines json
KEY=$(curl -s "$URL/api/v1/access-keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}')
ACCOUNT=$(curl -s "$URL/api/v1/service-accounts" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench-off"}')
SA=$(echo "$ACCOUNT" | json id)
curl -sf -o /dev/null -X PATCH "$URL/api/v1/service-accounts/$SA" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"enabled":false}'

echo "keymint $("$BIN" --version | awk '{print $2}') on $(nproc) cores; $ROUNDS rounds after $WARMUP warm-up rounds"
python3 - "${URL#http://127.0.0.1:}" "$ROUNDS" "$WARMUP" "$KEY" "$ACCOUNT" <<'PY'
import http.client, json, random, sys, time, urllib.parse

port, rounds, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
key, account = json.loads(sys.argv[4]), json.loads(sys.argv[5])
bad_checksum = key["clientSecret"][:-1] + ("A" if key["clientSecret"][-1] != "A" else "B")
kinds = {  # label: (client_id, client_secret)
    "unknown client ID": ("AAAAAAAAAAAAAAAAAAAAAAAA", key["clientSecret"]),
    "wrong secret": (key["clientId"], account["clientSecret"]),  # well formed, another client's
    "disabled service account": (account["clientId"], account["clientSecret"]),
    "kmsec_ bad checksum": (key["clientId"], bad_checksum),
    "success (for scale)": (key["clientId"], key["clientSecret"]),
}
bodies = {k: urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": i, "client_secret": s})
          for k, (i, s) in kinds.items()}
headers = {"Content-Type": "application/x-www-form-urlencoded"}
conn = http.client.HTTPConnection("127.0.0.1", port)
samples = {k: [] for k in kinds}
answers = {k: {} for k in kinds}
rng = random.Random(1)
for r in range(warmup + rounds):
    order = list(kinds)
    rng.shuffle(order)
    for k in order:
        start = time.perf_counter_ns()
        conn.request("POST", "/api/v2/token", body=bodies[k], headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter_ns() - start
        if r >= warmup:
            samples[k].append(elapsed / 1000)
            answer = (resp.status, body if resp.status != 200 else b"<token>")
            answers[k][answer] = answers[k].get(answer, 0) + 1

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

print(f"{'POST /api/v2/token, latency in µs':<34} {'n':>5} {'p50':>7} {'p90':>7} {'p99':>7}  answer")
for k, xs in samples.items():
    answer = ", ".join(f"{s}×{n}" for (s, _), n in answers[k].items())
    print(f"{k:<34} {len(xs):>5} {pct(xs, 50):>7.1f} {pct(xs, 90):>7.1f} {pct(xs, 99):>7.1f}  {answer}")
failures = ["unknown client ID", "wrong secret", "disabled service account", "kmsec_ bad checksum"]
distinct = {a for k in failures for a in answers[k]}
print("the four failures answered", "one identical status and body" if len(distinct) == 1 else
      f"{len(distinct)} different answers: {distinct}")
PY
