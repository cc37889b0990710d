#!/usr/bin/env bash
# Load test of token issuance over HTTP: starts keymint on a free loopback
# port with temporary directories, creates an access key and a service
# account, then drives /api/v1/token and /api/v2/token with the key and
# /api/v1/token with the service account, with wrk for DURATION seconds each, and
# prints requests/s and latency. Compare with `openssl speed rsa2048`
# (sign/s per core), the physical limit for RS256 minting.
#
#   bench/token_load.sh [DURATION=10] [CONNECTIONS=32] [WRK_THREADS=1]
# Needs: a built build/keymint, wrk, curl, python3.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${1:-10}"; CONNECTIONS="${2:-32}"; WRK_THREADS="${3:-1}"
source "$ROOT/bench/keymint_server.sh"  # sets WORK, PID, URL, ADMIN, BIN; defines json
KEY=$(curl -s "$URL/api/v1/access-keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"name":"bench"}')
ID=$(echo "$KEY" | json clientId); SECRET=$(echo "$KEY" | json clientSecret)
ACCOUNT=$(curl -s "$URL/api/v1/service-accounts" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"name":"bench","roles":["Editor"]}')
SA_ID=$(echo "$ACCOUNT" | json clientId); SA_SECRET=$(echo "$ACCOUNT" | json clientSecret)

cat > v1.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"grantType":"client_credentials","clientId":"$ID","clientSecret":"$SECRET"}'
LUA
cat > v2.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=$ID&client_secret=$SECRET"
LUA
cat > v1-sa.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"grantType":"client_credentials","clientId":"$SA_ID","clientSecret":"$SA_SECRET"}'
LUA
echo "keymint $("$BIN" --version) on $(nproc) cores; $CONNECTIONS connections, ${DURATION}s each"
for run in v1 v2 v1-sa; do
  label=""; [ "$run" = v1-sa ] && label=" (service account)"
  echo "== /api/${run%-sa}/token$label"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$run.lua" "$URL/api/${run%-sa}/token" |
    grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
done
echo "== openssl speed (RSA-2048 sign/s, one core)"
openssl speed -seconds 3 rsa2048 2>/dev/null | grep -E "^rsa 2048" || true
