#!/usr/bin/env python3
"""Password-guessing flood against one user while another user logs in.

Starts keymint (free loopback port, temporary directories), creates a victim
user and a legitimate user, then runs N attacker threads that post wrong
passwords for the victim (v1 password grant, keep-alive) as fast as keymint
answers, each from its own source address 127.0.0.(10+i). Meanwhile the
legitimate user logs in with the right password from 127.0.0.1 about every
--interval seconds (a new connection each time) for --seconds.

Attackers run in a child process, so that their threads do not hold the
legitimate client's interpreter lock; both share the machine's cores with
keymint.

Prints the legitimate logins attempted / succeeded and their latency, the
attackers' answers by status and rate, and how many attempts cost a password
KDF run (the 401s). Exit status: 0 when at least --min-success percent of the
legitimate logins succeeded, 1 when fewer did or keymint did not stop
cleanly, 2 when set-up failed.

With --target random the attackers spray a fresh unknown username on every
attempt instead (a password spray across accounts), which the per-username
throttle cannot stop; only the per-address throttle and the password gate do.
"""

import argparse
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

STATUSES = (200, 401, 429, 503)


def attacker_thread(port, source, target, victim, stop, t0, counts, timeline, lock):
    local = {}
    seconds = {}  # (whole seconds since t0, status) -> answers
    errors = 0
    conn = None
    wrong = 0
    while not stop.is_set():
        wrong += 1
        username = victim if target == "victim" else f"spray-{harness.random_url_safe(9)}@bench.local"
        body = harness.password_login_body(username, f"wrong-password-{wrong}")
        try:
            if conn is None:
                conn = HttpConn(port, source=source, timeout=30.0)
            status, _, _ = conn.request("POST", "/api/v1/token", body, "application/json")
            local[status] = local.get(status, 0) + 1
            slot = (int(time.monotonic() - t0), status)
            seconds[slot] = seconds.get(slot, 0) + 1
            if conn.closed_by_server:
                conn.close()
                conn = None
        except (OSError, harness.ConnectionClosed):
            errors += 1
            if conn is not None:
                conn.close()
                conn = None
            time.sleep(0.01)
    if conn is not None:
        conn.close()
    with lock:
        for status, n in local.items():
            counts[status] = counts.get(status, 0) + n
        counts["errors"] = counts.get("errors", 0) + errors
        for slot, n in seconds.items():
            timeline[slot] = timeline.get(slot, 0) + n


def attacker_process(port, attackers, target, victim, stop, t0, started, results):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    counts, timeline, lock = {}, {}, threading.Lock()
    threads = [
        threading.Thread(
            target=attacker_thread,
            args=(port, f"127.0.0.{10 + i}", target, victim, stop, t0, counts, timeline, lock),
            daemon=True,
        )
        for i in range(attackers)
    ]
    for t in threads:
        t.start()
    started.set()
    stop.wait()
    for t in threads:
        t.join(60)
    results.put(({str(k): v for k, v in counts.items()}, timeline))


def legit_login(port, username, password):
    """One login on a fresh connection; returns (status or 'error', seconds, start)."""
    body = harness.password_login_body(username, password)
    started = time.monotonic()
    begin = time.perf_counter()
    try:
        conn = HttpConn(port, source="127.0.0.1", timeout=30.0)
        try:
            status, _, _ = conn.request("POST", "/api/v1/token", body, "application/json", close=True)
        finally:
            conn.close()
    except (OSError, harness.ConnectionClosed):
        status = "error"
    return status, time.perf_counter() - begin, started


def legit_loop(port, username, password, seconds, interval):
    """Logs in every `interval` seconds (or right after the previous login
    when it took longer) for `seconds`. Returns [(status, latency)]."""
    results = []
    start = time.monotonic()
    next_at = start
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        if next_at > now:
            time.sleep(next_at - now)
        results.append(legit_login(port, username, password))
        next_at += interval
        if next_at < time.monotonic():
            next_at = time.monotonic()
    return results


def summarize(results):
    ok = sorted(lat for status, lat, _ in results if status == 200)
    every = sorted(lat for _, lat, _ in results)
    by_status = {}
    for status, _, _ in results:
        by_status[status] = by_status.get(status, 0) + 1
    return {
        "attempted": len(results),
        "succeeded": len(ok),
        "percent": 100.0 * len(ok) / len(results) if results else 0.0,
        "p50": harness.percentile(every, 50),
        "p90": harness.percentile(every, 90),
        "p99": harness.percentile(every, 99),
        "max": every[-1] if every else None,
        "by_status": by_status,
    }


def ms(seconds):
    return None if seconds is None else seconds * 1000.0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--binary", default=harness.DEFAULT_BINARY, help="keymint executable (default: build/keymint)")
    parser.add_argument("--attackers", type=int, default=4, help="attacker threads, one source address each (default 4, at most 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the flood (default 20)")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between legitimate logins (default 0.25)")
    parser.add_argument("--baseline", type=float, default=2.0, help="seconds of legitimate logins alone before the flood (default 2)")
    parser.add_argument("--target", choices=("victim", "random"), default="victim",
                        help="victim: wrong passwords for one user (default); random: a fresh unknown username each time")
    parser.add_argument("--min-success", type=float, default=95.0, help="success criterion, percent of legitimate logins (default 95)")
    parser.add_argument("--threads", type=int, help="keymint I/O threads (default: keymint's, the core count)")
    parser.add_argument("--env", action="append", default=[], metavar="KEYMINT_X=V",
                        help="extra keymint setting, e.g. KEYMINT_PASSWORD_CONCURRENCY=2 (repeatable)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not 1 <= args.attackers <= 200:
        parser.error("--attackers must be 1-200 (source addresses 127.0.0.10-209)")
    extra_env = dict(item.split("=", 1) for item in args.env)

    harness.exit_on_termination_signals()
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    attackers = None
    code = 2
    try:
        with harness.Keymint(args.binary, env=extra_env, threads=args.threads) as km:
            port = km.port
            print(f"keymint pid {km.pid} on 127.0.0.1:{port}; {harness.machine_line()}", flush=True)
            admin = harness.admin_token(port)
            victim = harness.create_user(port, admin, "victim@bench.local")
            legit = harness.create_user(port, admin, "legit@bench.local")
            status, _, _ = legit_login(port, legit["username"], legit["tempPassword"])
            if status != 200:
                raise harness.BenchError(f"the legitimate user's first login answered {status}")

            print(f"baseline: legitimate logins alone for {args.baseline:g} s", flush=True)
            baseline = legit_loop(port, legit["username"], legit["tempPassword"], args.baseline, args.interval)
            rss_start = km.rss_kib()
            cpu_start = km.cpu_seconds()

            results_queue = ctx.Queue()
            started = ctx.Event()
            attack_begin = time.monotonic()
            attackers = ctx.Process(
                target=attacker_process,
                args=(port, args.attackers, args.target, victim["username"], stop, attack_begin, started, results_queue),
                daemon=True,
            )
            print(f"flood: {args.attackers} attackers ({args.target}) for {args.seconds:g} s", flush=True)
            attackers.start()
            started.wait(30)
            flood = legit_loop(port, legit["username"], legit["tempPassword"], args.seconds, args.interval)
            stop.set()
            attack_end = time.monotonic()
            counts, timeline = results_queue.get(timeout=120)
            attackers.join(30)
            attack_seconds = attack_end - attack_begin
            cpu_used = km.cpu_seconds() - cpu_start
            rss_end = km.rss_kib()
            alive = km.alive()
            exit_code = km.stop()
            log_tail = getattr(km, "saved_log", "")

        base = summarize(baseline)
        during = summarize(flood)
        print_report(args, base, during, counts, attack_seconds, cpu_used, rss_start, rss_end, alive, exit_code)
        print_timeline(args, flood, timeline, attack_begin, attack_seconds)
        if exit_code != 0:
            print(f"\nkeymint exited with {exit_code}; last log lines:\n{log_tail}")
        failed = during["percent"] < args.min_success or not alive or exit_code != 0
        if args.json:
            print(json.dumps({"baseline": base, "flood": during, "attackers": counts, "seconds": attack_seconds,
                              "keymint_cpu_s": cpu_used, "rss_kib": [rss_start, rss_end], "exit_code": exit_code},
                             default=str))
        verdict = "FAIL" if failed else "PASS"
        print(f"\n{verdict}: {during['percent']:.1f}% of legitimate logins succeeded during the flood "
              f"(criterion >= {args.min_success:g}%)")
        code = 1 if failed else 0
    finally:
        stop.set()
        if attackers is not None and attackers.is_alive():
            attackers.join(10)
            if attackers.is_alive():
                attackers.terminate()
                attackers.join(5)
    return code


def print_timeline(args, flood, timeline, t0, seconds):
    """Answers per time slice: when the attackers' KDF runs (401) and 503s
    happen, and when the legitimate logins failed."""
    width = max(1, int(round(seconds / 20.0)))
    slices = int(seconds // width) + 1
    rows = []
    for i in range(slices):
        lo, hi = i * width, (i + 1) * width
        attack = {st: sum(n for (sec, s), n in timeline.items() if s == st and lo <= sec < hi) for st in (401, 429, 503)}
        mine = [r for r in flood if lo <= r[2] - t0 < hi]
        ok = sum(1 for r in mine if r[0] == 200)
        worst = max((r[1] for r in mine), default=None)
        if not mine and not any(attack.values()):
            continue
        rows.append([f"{lo}-{hi} s", attack[401], attack[429], attack[503], ok, len(mine) - ok,
                     None if worst is None else worst * 1000.0])
    harness.print_table("Timeline of the flood", ["time", "attack 401", "attack 429", "attack 503", "legit ok",
                                                  "legit failed", "legit max ms"], rows)


def print_report(args, base, during, counts, seconds, cpu_used, rss_start, rss_end, alive, exit_code):
    rows = []
    for name, s in (("alone (baseline)", base), (f"during flood, {args.attackers} attackers", during)):
        other = {k: v for k, v in s["by_status"].items() if k != 200}
        rows.append([name, s["attempted"], s["succeeded"], f"{s['percent']:.1f}%", ms(s["p50"]), ms(s["p90"]),
                     ms(s["p99"]), ms(s["max"]), ", ".join(f"{k}: {v}" for k, v in sorted(other.items(), key=str)) or "-"])
    harness.print_table("Legitimate user: password logins (v1), a new connection each",
                        ["phase", "attempted", "ok", "ok %", "p50 ms", "p90 ms", "p99 ms", "max ms", "failures"], rows)

    total = sum(v for k, v in counts.items() if k != "errors")
    rows = []
    for status in ("401", "429", "503"):
        n = counts.get(status, 0)
        rows.append([status, n, n / seconds])
    other = {k: v for k, v in counts.items() if k not in ("401", "429", "503", "errors")}
    for status, n in sorted(other.items()):
        rows.append([f"{status} (unexpected)", n, n / seconds])
    rows.append(["connection errors", counts.get("errors", 0), counts.get("errors", 0) / seconds])
    rows.append(["all answers", total, total / seconds])
    harness.print_table(f"Attackers ({args.target}): answers in {seconds:.1f} s", ["answer", "count", "per second"], rows)

    kdf = counts.get("401", 0)
    harness.print_table("Cost to keymint", ["figure", "value"], [
        ["attacker attempts that ran the KDF (401)", kdf],
        ["share of attacker attempts", f"{100.0 * kdf / total:.3f}%" if total else "-"],
        ["KDF time they cost at ~130 ms each, s", kdf * 0.130],
        ["keymint CPU during the flood, s", cpu_used],
        ["keymint CPU, share of 2 cores", f"{100.0 * cpu_used / (seconds * (os.cpu_count() or 1)):.0f}%" if cpu_used else "-"],
        ["keymint VmRSS before / after, MiB", f"{harness.fmt(harness.mib(rss_start))} / {harness.fmt(harness.mib(rss_end))}"],
        ["keymint alive at the end / exit code", f"{'yes' if alive else 'NO'} / {exit_code}"],
    ])


if __name__ == "__main__":
    harness.run_script(main)
