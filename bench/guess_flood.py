#!/usr/bin/env python3
"""Client-ID/secret spray from many addresses while a client mints tokens.

Starts keymint (free loopback port, temporary directories) and creates an
access key. One legitimate client mints tokens with it (v2 form,
client_secret_post, one keep-alive connection, one request at a time, as fast
as it can): first alone for --baseline seconds, then for --seconds while N
attacker threads spray random client IDs with random secrets, then alone
again for --after seconds.

The attackers act as a botnet: each connection comes from the next source
address of 127.0.1.1 ... 127.0.255.254 (--addresses of them, cycled), sends
--batch requests (pipelined by default), reads the answers and closes, so that
the per-address throttle sees many addresses and the per-client-ID throttle a
new ID every time. Every sprayed client ID is fresh (24 URL-safe characters,
like keymint's), so "IDs sprayed" counts distinct IDs.

Prints the attackers' checked guesses (401) and refused ones (429) per
second, the legitimate client's tokens/s alone and under attack, its latency
and errors, and keymint's resident memory (VmRSS) at start, during and after
the spray. Exit status: 0 when the legitimate client saw no error (every
answer 200, no connection failure), 1 otherwise or when keymint did not stop
cleanly, 2 when set-up failed.

The load generator is Python: its rate, not keymint's, limits the spray (see
the keymint CPU share in the report); --processes spreads the attacker
threads over more interpreters.
"""

import argparse
import itertools
import json
import multiprocessing
import os
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HttpConn  # noqa: E402

ADDRESS_SPACE = 255 * 254  # 127.0.1.1 ... 127.0.255.254


def address(index):
    index %= ADDRESS_SPACE
    return f"127.0.{1 + index // 254}.{1 + index % 254}"


def spray_request():
    client_id = harness.random_url_safe(18)  # 24 characters, as keymint's
    secret = harness.random_url_safe(32)
    return harness.build_request(
        "POST", "/api/v2/token", harness.v2_client_credentials_body(client_id, secret),
        "application/x-www-form-urlencoded",
    )


def attacker_thread(port, counter, addresses, batch, pipeline, stop, totals, lock):
    counts = {}
    sent = errors = connections = 0
    while not stop.is_set():
        source = address(next(counter) % addresses)
        requests = [spray_request() for _ in range(batch)]
        answered = 0
        try:
            conn = HttpConn(port, source=source, timeout=30.0)
            connections += 1
            try:
                if pipeline:
                    conn.send(b"".join(requests))
                    sent += batch
                    for _ in range(batch):
                        status, _, _ = conn.read_response()
                        counts[status] = counts.get(status, 0) + 1
                        answered += 1
                        if conn.closed_by_server:
                            break
                else:
                    for request in requests:
                        conn.send(request)
                        sent += 1
                        status, _, _ = conn.read_response()
                        counts[status] = counts.get(status, 0) + 1
                        answered += 1
                        if conn.closed_by_server or stop.is_set():
                            break
            finally:
                conn.close()
        except (OSError, harness.ConnectionClosed):
            errors += 1
            time.sleep(0.005)
    with lock:
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n
        totals["sent"] = totals.get("sent", 0) + sent
        totals["errors"] = totals.get("errors", 0) + errors
        totals["connections"] = totals.get("connections", 0) + connections


def attacker_process(port, index, processes, threads, addresses, batch, pipeline, stop, started, results):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    # Processes take interleaved addresses; threads share their process's sequence.
    counter = itertools.count(index, processes)
    totals, lock = {}, threading.Lock()
    workers = [
        threading.Thread(target=attacker_thread,
                         args=(port, counter, addresses, batch, pipeline, stop, totals, lock), daemon=True)
        for _ in range(threads)
    ]
    for w in workers:
        w.start()
    started.release()
    stop.wait()
    for w in workers:
        w.join(60)
    results.put({str(k): v for k, v in totals.items()})


class LegitClient(threading.Thread):
    """Mints tokens back to back on one keep-alive connection; records
    (monotonic time, status or 'error', latency) per request."""

    def __init__(self, port, key):
        super().__init__(daemon=True)
        self.port = port
        self.request = harness.build_request(
            "POST", "/api/v2/token", harness.v2_client_credentials_body(key["clientId"], key["clientSecret"]),
            "application/x-www-form-urlencoded",
        )
        self.records = []
        self.error_samples = []
        self.stop_flag = threading.Event()
        self.reconnects = 0

    def run(self):
        conn = None
        while not self.stop_flag.is_set():
            begin = time.perf_counter()
            try:
                if conn is None:
                    conn = HttpConn(self.port, source="127.0.0.1", timeout=30.0)
                    self.reconnects += 1
                conn.send(self.request)
                status, _, body = conn.read_response()
                if status != 200 and len(self.error_samples) < 5:
                    self.error_samples.append(f"{status} {body[:200]!r}")
                if conn.closed_by_server:
                    conn.close()
                    conn = None
            except (OSError, harness.ConnectionClosed) as e:
                status = "error"
                if len(self.error_samples) < 5:
                    self.error_samples.append(repr(e))
                if conn is not None:
                    conn.close()
                conn = None
            end = time.perf_counter()
            self.records.append((time.monotonic(), status, end - begin))
        if conn is not None:
            conn.close()

    def phase(self, begin, end):
        rows = [r for r in self.records if begin <= r[0] < end]
        latencies = sorted(r[2] for r in rows)
        errors = sum(1 for r in rows if r[1] != 200)
        return {
            "requests": len(rows),
            "tokens": len(rows) - errors,
            "errors": errors,
            "tokens_per_s": (len(rows) - errors) / (end - begin) if end > begin else 0.0,
            "p50_ms": (harness.percentile(latencies, 50) or 0) * 1000,
            "p99_ms": (harness.percentile(latencies, 99) or 0) * 1000,
            "max_ms": (latencies[-1] if latencies else 0) * 1000,
        }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--binary", default=harness.DEFAULT_BINARY, help="keymint executable (default: build/keymint)")
    parser.add_argument("--attackers", type=int, default=8, help="attacker threads in all (default 8)")
    parser.add_argument("--processes", type=int, default=1, help="attacker processes the threads are spread over (default 1)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the spray (default 30)")
    parser.add_argument("--baseline", type=float, default=3.0, help="seconds the legitimate client runs alone first (default 3)")
    parser.add_argument("--after", type=float, default=3.0, help="seconds it runs alone after the spray (default 3)")
    parser.add_argument("--batch", type=int, default=20, help="requests per attacker connection, i.e. per source address visit (default 20)")
    parser.add_argument("--no-pipeline", dest="pipeline", action="store_false",
                        help="send a batch one request at a time instead of pipelined")
    parser.add_argument("--addresses", type=int, default=ADDRESS_SPACE,
                        help=f"distinct attacker source addresses to cycle through (default and most {ADDRESS_SPACE})")
    parser.add_argument("--threads", type=int, help="keymint I/O threads (default: keymint's, the core count)")
    parser.add_argument("--env", action="append", default=[], metavar="KEYMINT_X=V",
                        help="extra keymint setting, e.g. KEYMINT_THROTTLE_CAPACITY=1024 (repeatable)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not 1 <= args.addresses <= ADDRESS_SPACE:
        parser.error(f"--addresses must be 1-{ADDRESS_SPACE}")
    if args.attackers < 1 or args.processes < 1 or args.batch < 1:
        parser.error("--attackers, --processes and --batch must be at least 1")
    args.processes = min(args.processes, args.attackers)
    extra_env = dict(item.split("=", 1) for item in args.env)

    harness.exit_on_termination_signals()
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    procs = []
    legit = None
    code = 2
    try:
        with harness.Keymint(args.binary, env=extra_env, threads=args.threads) as km:
            port = km.port
            print(f"keymint pid {km.pid} on 127.0.0.1:{port}; {harness.machine_line()}", flush=True)
            admin = harness.admin_token(port)
            key = harness.create_access_key(port, admin, "legit")
            rss = {"start": km.rss_kib()}

            legit = LegitClient(port, key)
            t0 = time.monotonic()
            legit.start()
            print(f"baseline: the legitimate client alone for {args.baseline:g} s", flush=True)
            time.sleep(args.baseline)
            rss["after baseline"] = km.rss_kib()

            results = ctx.Queue()
            started = ctx.Semaphore(0)
            per_process = [args.attackers // args.processes + (1 if i < args.attackers % args.processes else 0)
                           for i in range(args.processes)]
            for i, n in enumerate(per_process):
                procs.append(ctx.Process(target=attacker_process, daemon=True,
                                         args=(port, i, args.processes, n, args.addresses, args.batch, args.pipeline,
                                               stop, started, results)))
            print(f"spray: {args.attackers} attackers in {args.processes} process(es) for {args.seconds:g} s, "
                  f"batches of {args.batch} ({'pipelined' if args.pipeline else 'sequential'}), "
                  f"{args.addresses:,} source addresses", flush=True)
            t1 = time.monotonic()
            cpu1 = km.cpu_seconds()
            for p in procs:
                p.start()
            for _ in procs:
                started.acquire(timeout=30)
            samples = []  # (seconds into the spray, VmRSS KiB)
            while time.monotonic() - t1 < args.seconds:
                time.sleep(min(1.0, max(0.0, args.seconds - (time.monotonic() - t1))))
                samples.append((time.monotonic() - t1, km.rss_kib()))
            stop.set()
            t2 = time.monotonic()
            cpu2 = km.cpu_seconds()
            totals = {}
            for _ in procs:
                for k, v in results.get(timeout=120).items():
                    totals[k] = totals.get(k, 0) + v
            for p in procs:
                p.join(30)
            t2b = time.monotonic()  # attackers fully gone
            rss["right after the spray"] = km.rss_kib()
            print(f"after: the legitimate client alone for {args.after:g} s", flush=True)
            time.sleep(args.after)
            t3 = time.monotonic()
            legit.stop_flag.set()
            legit.join(30)
            rss["end"] = km.rss_kib()
            hwm = km.hwm_kib()
            alive = km.alive()
            exit_code = km.stop()
            log_tail = getattr(km, "saved_log", "")

        phases = {
            "alone, before": legit.phase(t0, t1),
            "during the spray": legit.phase(t1, t2),
            "alone, after": legit.phase(t2b, t3),
        }
        legit_errors = sum(1 for r in legit.records if r[1] != 200)
        spray_s = t2 - t1
        cpu_share = (cpu2 - cpu1) / (spray_s * (os.cpu_count() or 1)) if cpu1 is not None and cpu2 is not None else None
        print_report(args, phases, legit, legit_errors, totals, spray_s, rss, hwm, samples, cpu_share, alive, exit_code)
        if exit_code != 0:
            print(f"\nkeymint exited with {exit_code}; last log lines:\n{log_tail}")
        failed = legit_errors != 0 or not alive or exit_code != 0
        if args.json:
            print(json.dumps({"phases": phases, "attackers": totals, "spray_s": spray_s, "rss_kib": rss,
                              "hwm_kib": hwm, "rss_samples": samples, "legit_errors": legit_errors,
                              "exit_code": exit_code}))
        print(f"\n{'FAIL' if failed else 'PASS'}: the legitimate client saw {legit_errors} error(s) "
              f"in {len(legit.records):,} requests (criterion: 0)")
        code = 1 if failed else 0
    finally:
        stop.set()
        if legit is not None:
            legit.stop_flag.set()
        for p in procs:
            if p.is_alive():
                p.join(10)
            if p.is_alive():
                p.terminate()
                p.join(5)
    return code


def print_report(args, phases, legit, legit_errors, totals, spray_s, rss, hwm, samples, cpu_share, alive, exit_code):
    rows = [[name, p["tokens"], p["tokens_per_s"], p["errors"], p["p50_ms"], p["p99_ms"], p["max_ms"]]
            for name, p in phases.items()]
    harness.print_table("Legitimate client: v2 client_credentials, one keep-alive connection",
                        ["phase", "tokens", "tokens/s", "errors", "p50 ms", "p99 ms", "max ms"], rows)
    if legit.error_samples:
        print("  first errors: " + "; ".join(legit.error_samples))

    answered = sum(v for k, v in totals.items() if k.isdigit())
    rows = [
        ["client IDs sprayed (distinct, answered)", answered, answered / spray_s],
        ["checked and refused (401)", totals.get("401", 0), totals.get("401", 0) / spray_s],
        ["throttled unchecked (429)", totals.get("429", 0), totals.get("429", 0) / spray_s],
    ]
    for k, v in sorted(totals.items()):
        if k.isdigit() and k not in ("401", "429"):
            rows.append([f"answered {k} (unexpected)", v, v / spray_s])
    rows += [
        ["connections (one source address each)", totals.get("connections", 0), totals.get("connections", 0) / spray_s],
        ["connection errors", totals.get("errors", 0), totals.get("errors", 0) / spray_s],
    ]
    harness.print_table(f"Attackers: {args.attackers} threads, {spray_s:.1f} s", ["figure", "count", "per second"], rows)

    rows = [["start", harness.mib(rss["start"])], ["after the baseline", harness.mib(rss["after baseline"])]]
    if samples:
        for fraction in (0.25, 0.5, 0.75, 1.0):
            at = samples[min(len(samples) - 1, max(0, int(round(len(samples) * fraction)) - 1))]
            rows.append([f"  {at[0]:.0f} s into the spray", harness.mib(at[1])])
        rows.append(["peak sampled during the spray", harness.mib(max(s[1] or 0 for s in samples))])
    rows.append(["right after the spray", harness.mib(rss["right after the spray"])])
    rows.append([f"end ({args.after:g} s later)", harness.mib(rss["end"])])
    rows.append(["VmHWM (peak) at the end", harness.mib(hwm)])
    rows.append(["keymint CPU during the spray, share of all cores", f"{100 * cpu_share:.0f}%" if cpu_share else "-"])
    rows.append(["keymint alive at the end / exit code", f"{'yes' if alive else 'NO'} / {exit_code}"])
    harness.print_table("keymint", ["figure", "VmRSS MiB / value"], rows)


if __name__ == "__main__":
    harness.run_script(main)
