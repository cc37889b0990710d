#!/usr/bin/env bash
# TLS measurement (bench/README.md "Over HTTPS"): tokens/s in a closed loop,
# keymint on core 0 (1 I/O thread), keymint-bench on core 1, 16 connections,
# 2 s warm-up + 10 s, 3 repetitions of: https keep-alive, https with a new
# connection and full handshake per request (ECDSA P-256 and RSA-2048
# certificates), http keep-alive and http with a new connection per request.
#   KEYMINT_BUILD_DIR=build-release bench/tls_load.sh    (needs openssl, python3)
set -eu
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="${KEYMINT_BUILD_DIR:-$ROOT/build-release}"
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
mkdir -p data keys
export KEYMINT_ADMIN_PASSWORD=bench-admin-password KEYMINT_BENCH_ADMIN_PASSWORD=bench-admin-password
PID=
start() {  # start [cert key]
  rm -f log
  if [ $# -eq 2 ]; then tls=(--tls-cert $1 --tls-key $2); else tls=(); fi
  taskset -c 0 $B/keymint serve --listen 127.0.0.1:0 --data-dir data --keys-dir keys --threads 1 "${tls[@]}" 2>log &
  PID=$!
  for i in $(seq 100); do grep -q "listening on" log && break; sleep 0.1; done
  URL=$(grep -o 'https\?://127.0.0.1:[0-9]*' log | head -1)
}
stop() { kill $PID; wait $PID || true; }
bench() {  # bench NAME args...
  name=$1; shift
  taskset -c 1 $B/bench/load/keymint-bench --url $URL --credentials creds.txt -c 16 --warmup 2 -d 10 --json --progress off "$@" > $name.json
  python3 -c "import json,sys; r=json.load(open('$name.json')); print('$name', round(r['tokens_per_second'],1), 'p50', r['latency_ms']['p50'], 'p99', r['latency_ms']['p99'], 'errors', r['errors'])"
}
start
taskset -c 1 $B/bench/load/keymint-bench --url $URL --create 16 --admin-email admin@keymint.local --keep-created creds.txt -c 4 --warmup 0 -d 1 --json > setup.json
stop
for rep in 1 2 3; do
  start ec.crt ec.key
  bench https-keepalive-$rep --cacert ec.crt
  bench https-new-ecdsa-$rep --cacert ec.crt --new-connection
  stop
  start rsa.crt rsa.key
  bench https-new-rsa-$rep --cacert rsa.crt --new-connection
  stop
  start
  bench http-keepalive-$rep
  bench http-new-$rep --new-connection
  stop
done
uptime
