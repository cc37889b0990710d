#!/usr/bin/env python3
"""Token load on a seeded data directory, with keymint's resident memory.

Starts keymint on --data-dir and --keys-dir (filled by keymint_seed, which
also wrote --credentials: one "clientId,secret" line per key), waits --idle
seconds and reads its VmRSS, then runs --clients client processes for
--seconds (after --warmup uncounted seconds). Each client holds one keep-alive
connection and posts client_secret_post exchanges to /api/v2/token, going
through its own shuffled share of the credentials, so that with a million keys
nearly every request looks up a different client ID, owner and record
(the store's worst case: few of them are in any cache).

Prints tokens/s, non-200 answers, keymint's CPU share, its VmRSS idle and
sampled every 0.5 s under load (the largest), and VmHWM at the end. Exit
status: 0 when every answer was a 200, 1 otherwise, 2 when set-up failed.

The clients are Python and share the machine with keymint: compare runs made
with the same settings (e.g. 1,000 against 1,000,000 keys), not with wrk.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HttpConn  # noqa: E402


def read_share(path, index, count):
    """Every count-th credential of the file, starting at `index`, shuffled."""
    share = []
    with open(path) as f:
        for number, line in enumerate(f):
            if number % count == index and "," in line:
                client_id, secret = line.strip().split(",", 1)
                share.append((client_id, secret))
    random.shuffle(share)
    return share


def client(port, path, index, count, start_at, count_from, stop_at, results):
    share = read_share(path, index, count)
    requests = [
        harness.build_request(
            "POST", "/api/v2/token", harness.v2_client_credentials_body(client_id, secret),
            "application/x-www-form-urlencoded",
        )
        for client_id, secret in share
    ]
    ok = failed = 0
    time.sleep(max(0.0, start_at - time.time()))
    conn = HttpConn(port)
    try:
        i = 0
        while True:
            now = time.time()
            if now >= stop_at:
                break
            conn.send(requests[i % len(requests)])
            status, _, _ = conn.read_response()
            i += 1
            if now < count_from:
                continue
            if status == 200:
                ok += 1
            else:
                failed += 1
    finally:
        conn.close()
    results.put((ok, failed, len(share)))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--binary", default=harness.DEFAULT_BINARY, help="keymint executable (default: build/keymint)")
    parser.add_argument("--data-dir", required=True, help="the seeded data directory")
    parser.add_argument("--keys-dir", required=True, help="the seeded keys directory")
    parser.add_argument("--credentials", required=True, help="keymint_seed's output: clientId,secret lines")
    parser.add_argument("--threads", type=int, default=1, help="keymint I/O threads (default 1)")
    parser.add_argument("--clients", type=int, default=4, help="client processes, one connection each (default 4)")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds measured (default 30)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring (default 3)")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds after start-up before the idle VmRSS (default 3)")
    args = parser.parse_args()
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds positive")

    harness.exit_on_termination_signals()
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = []
    try:
        with harness.Keymint(args.binary, threads=args.threads, data_dir=args.data_dir, keys_dir=args.keys_dir) as km:
            print(f"keymint pid {km.pid} on 127.0.0.1:{km.port}; {harness.machine_line()}", flush=True)
            time.sleep(args.idle)
            idle_rss = km.rss_kib()

            # The clients read their shares first (a million lines take a few
            # seconds), then start together.
            start_at = time.time() + 5.0
            count_from = start_at + args.warmup
            stop_at = count_from + args.seconds
            for i in range(args.clients):
                p = ctx.Process(target=client, args=(km.port, args.credentials, i, args.clients, start_at, count_from,
                                                     stop_at, results))
                p.start()
                procs.append(p)
            time.sleep(max(0.0, count_from - time.time()))
            cpu_before = km.cpu_seconds()
            rss_samples = []
            while time.time() < stop_at:
                rss_samples.append(km.rss_kib())
                time.sleep(0.5)
            cpu_used = km.cpu_seconds() - cpu_before
            ok = failed = credentials = 0
            for _ in procs:
                got_ok, got_failed, got_share = results.get(timeout=60)
                ok += got_ok
                failed += got_failed
                credentials += got_share
            rss_end, hwm = km.rss_kib(), km.hwm_kib()
            if km.stop() != 0:
                print(f"keymint did not stop cleanly:\n{km.saved_log}", file=sys.stderr)
                return 1
    except harness.BenchError as e:
        print(f"set-up failed: {e}", file=sys.stderr)
        return 2
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()

    rows = [
        ("credentials used", harness.fmt(credentials)),
        ("clients (keep-alive connections)", harness.fmt(args.clients)),
        ("tokens/s", harness.fmt(ok / args.seconds)),
        ("non-200 answers", harness.fmt(failed)),
        ("keymint CPU, % of one core", harness.fmt(100.0 * cpu_used / args.seconds)),
        ("VmRSS idle, MiB", harness.fmt(harness.mib(idle_rss))),
        ("VmRSS under load (largest sample), MiB", harness.fmt(harness.mib(max(rss_samples)))),
        ("VmRSS at the end, MiB", harness.fmt(harness.mib(rss_end))),
        ("VmHWM, MiB", harness.fmt(harness.mib(hwm))),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
