#!/usr/bin/env python3
"""Thousands of idle and slow-loris connections while a client gets tokens.

Starts keymint (free loopback port, temporary directories, by default
KEYMINT_MAX_CONNECTIONS = idle + slow + 1000) and creates an access key. A
child process then holds, from one thread with a selector:

- --idle N idle keep-alive connections: each sends one complete request
  (GET /.well-known/jwks.json), reads the answer, then stays open and silent;
  when keymint closes one it is opened again (--no-reconnect-idle: not);
- --slow M slow-loris connections: each sends a request header one byte
  every ~--byte-interval seconds (+-20%) and never finishes it; when keymint
  closes one it is opened again at once.

A connection refused with 503 is opened again after its Retry-After (1 s).
Connections come from source addresses 127.3.x.y, 100 per address.

Meanwhile a normal client from 127.0.0.1 gets a token (v2 client_credentials)
every --normal-interval seconds on a new connection each time, and another
one on a keep-alive connection; both record latency. Phases: --baseline
seconds alone, --seconds with the hostile connections (opening them included),
--after seconds once they are gone.

Prints the normal client's latency and errors per phase, keymint's VmRSS and
open descriptors before / with every connection open / after, and how many
idle and slow connections keymint closed and after how long. Exit status: 0
when every request of the normal client got a token, 1 otherwise or when
keymint did not stop cleanly, 2 when set-up failed.

Needs file descriptors: this script raises its soft RLIMIT_NOFILE to the hard
one (`ulimit -Hn`) and keymint does the same; idle + slow must fit under it.
"""

import argparse
import collections
import errno
import heapq
import json
import multiprocessing
import os
import random
import selectors
import signal
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HttpConn  # noqa: E402

PER_ADDRESS = 100
MAX_CONNECTING = 256  # connects in flight at once while opening
EARLY_CLOSE = 20.0  # a slow connection closed unanswered sooner than this was refused, not timed out
SLOW_HEADER = (b"POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: "
               + b"a" * 4096)
IDLE_REQUEST = harness.build_request("GET", "/.well-known/jwks.json")

# Shared counters the child updates and the parent reads (single writer).
HELD_IDLE, OPEN_SLOW, CONNECTING, ALL_OPEN_AT_MS, IDLE_CLOSED, SLOW_CLOSED, REFUSED, FIELDS = range(8)


def source_address(index):
    k = index // PER_ADDRESS
    return f"127.3.{k // 250}.{1 + k % 250}"


class Conn:
    __slots__ = ("index", "kind", "sock", "state", "generation", "connected_at", "held_at", "sent", "buf")

    def __init__(self, index, kind):
        self.index = index
        self.kind = kind  # "idle" or "slow"
        self.sock = None
        self.state = "down"  # down, connecting, requesting, held, refused, slow
        self.generation = 0
        self.connected_at = 0.0
        self.held_at = 0.0
        self.sent = 0
        self.buf = b""


def hostile_process(port, n_idle, n_slow, byte_interval, reconnect_idle, stop, shared, results):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    limit = harness.raise_nofile_limit()
    sel = selectors.DefaultSelector()
    conns = [Conn(i, "idle" if i < n_idle else "slow") for i in range(n_idle + n_slow)]
    to_open = collections.deque(range(len(conns)))
    timers = []  # (when, seq, index, generation, action)
    seq = 0
    connecting = 0
    stats = {
        "idle_closed_after": [],     # seconds idle after its answer, when keymint closed it
        "slow_closed_after": [],     # seconds from connect to keymint's close (its request timeout)
        "slow_closed_early": 0,      # closed unanswered within EARLY_CLOSE s: refused at the cap
        "slow_bytes_before_close": [],
        "idle_closed_unanswered": 0,  # closed before its request was answered
        "answers": collections.Counter(),  # status of every answer a hostile connection got
        "slow_answers": collections.Counter(),
        "connect_errors": collections.Counter(),
        "connects": 0,
        "max_held_idle": 0,
        "max_open_slow": 0,
        "nofile": limit,
    }
    held = open_slow = 0

    def schedule(delay, conn, action):
        nonlocal seq
        seq += 1
        heapq.heappush(timers, (time.monotonic() + delay, seq, conn.index, conn.generation, action))

    def start_connect(conn):
        nonlocal connecting
        conn.generation += 1
        conn.buf = b""
        conn.sent = 0
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.setsockopt(socket.IPPROTO_IP, harness.IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((source_address(conn.index), 0))
            rc = sock.connect_ex(("127.0.0.1", port))
        except OSError as e:
            rc = e.errno
        if rc not in (0, errno.EINPROGRESS):
            sock.close()
            stats["connect_errors"][errno.errorcode.get(rc, str(rc))] += 1
            conn.state = "down"
            schedule(1.0, conn, "open")
            return
        conn.sock = sock
        conn.state = "connecting"
        connecting += 1
        stats["connects"] += 1
        sel.register(sock, selectors.EVENT_WRITE, conn)

    def closed(conn, now):
        """keymint closed `conn` (or it failed): record, then open it again."""
        nonlocal held, open_slow
        try:
            sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        conn.sock = None
        state = conn.state
        conn.state = "down"
        delay = 0.0
        if state == "held":
            held -= 1
            stats["idle_closed_after"].append(now - conn.held_at)
            shared[IDLE_CLOSED] += 1
            if not reconnect_idle:
                return
        elif state == "requesting":
            stats["idle_closed_unanswered"] += 1
            delay = 1.0
        elif state == "refused":
            delay = 1.0  # Retry-After: 1
        elif state == "slow":
            open_slow -= 1
            if conn.buf:  # keymint answered something (503 when over the cap) before closing
                delay = 1.0
            elif now - conn.connected_at < EARLY_CLOSE:
                stats["slow_closed_early"] += 1
            else:
                stats["slow_closed_after"].append(now - conn.connected_at)
                stats["slow_bytes_before_close"].append(conn.sent)
                shared[SLOW_CLOSED] += 1
        schedule(delay, conn, "open")

    def on_connected(conn, now):
        nonlocal connecting, open_slow
        connecting -= 1
        err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            stats["connect_errors"][errno.errorcode.get(err, str(err))] += 1
            sel.unregister(conn.sock)
            conn.sock.close()
            conn.sock = None
            conn.state = "down"
            schedule(1.0, conn, "open")
            return
        conn.connected_at = now
        sel.modify(conn.sock, selectors.EVENT_READ, conn)
        if conn.kind == "idle":
            conn.state = "requesting"
            try:
                conn.sock.send(IDLE_REQUEST)  # ~60 bytes into an empty socket buffer: sent whole
            except OSError:
                closed(conn, now)
        else:
            conn.state = "slow"
            open_slow += 1
            schedule(0.0, conn, "byte")

    def on_readable(conn, now):
        nonlocal held
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            return closed(conn, now)
        conn.buf += data
        if conn.state == "requesting":
            parsed = harness.parse_response(conn.buf)
            if parsed is None:
                return
            status, headers, _, conn.buf = parsed
            stats["answers"][status] += 1
            if status == 200 and headers.get("connection", "").lower() != "close":
                conn.state = "held"
                conn.held_at = now
                held += 1
            else:
                conn.state = "refused"
                shared[REFUSED] += 1
        elif conn.state == "slow":
            parsed = harness.parse_response(conn.buf)
            if parsed is not None:
                stats["slow_answers"][parsed[0]] += 1
                if parsed[0] == 503:
                    shared[REFUSED] += 1

    def send_byte(conn, now):
        if conn.state != "slow":
            return
        try:
            conn.sock.send(SLOW_HEADER[conn.sent % len(SLOW_HEADER) : conn.sent % len(SLOW_HEADER) + 1])
            conn.sent += 1
        except OSError:
            return closed(conn, now)
        schedule(byte_interval * random.uniform(0.8, 1.2), conn, "byte")

    while not stop.is_set():
        while to_open and connecting < MAX_CONNECTING:
            start_connect(conns[to_open.popleft()])
        now = time.monotonic()
        timeout = 0.2
        if timers:
            timeout = max(0.0, min(timeout, timers[0][0] - now))
        for key, _ in sel.select(timeout):
            conn = key.data
            now = time.monotonic()
            if conn.state == "connecting":
                on_connected(conn, now)
            elif conn.sock is not None:
                on_readable(conn, now)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, index, generation, action = heapq.heappop(timers)
            conn = conns[index]
            if generation != conn.generation:
                continue  # about an earlier connection of this slot
            if action == "open":
                to_open.append(index)
            elif action == "byte":
                send_byte(conn, now)
        stats["max_held_idle"] = max(stats["max_held_idle"], held)
        stats["max_open_slow"] = max(stats["max_open_slow"], open_slow)
        shared[HELD_IDLE] = held
        shared[OPEN_SLOW] = open_slow
        shared[CONNECTING] = connecting
        if shared[ALL_OPEN_AT_MS] == 0 and held == n_idle and open_slow == n_slow:
            shared[ALL_OPEN_AT_MS] = int(time.monotonic() * 1000)

    for conn in conns:
        if conn.sock is not None:
            conn.sock.close()
    stats["answers"] = dict(stats["answers"])
    stats["slow_answers"] = dict(stats["slow_answers"])
    stats["connect_errors"] = dict(stats["connect_errors"])
    results.put(stats)


class NormalClient(threading.Thread):
    """Gets a token every `interval` seconds, on a new connection each time
    (keep_alive=False) or on one kept-alive connection; records
    (monotonic time, status or error text, latency)."""

    def __init__(self, port, key, interval, keep_alive):
        super().__init__(daemon=True)
        self.port = port
        self.interval = interval
        self.keep_alive = keep_alive
        body = harness.v2_client_credentials_body(key["clientId"], key["clientSecret"])
        self.request = harness.build_request("POST", "/api/v2/token", body, "application/x-www-form-urlencoded",
                                             close=not keep_alive)
        self.records = []
        self.stop_flag = threading.Event()
        self.connections = 0

    def run(self):
        conn = None
        next_at = time.monotonic()
        while not self.stop_flag.is_set():
            begin = time.perf_counter()
            try:
                if conn is None:
                    conn = HttpConn(self.port, source="127.0.0.1", timeout=30.0)
                    self.connections += 1
                conn.send(self.request)
                status, _, _ = conn.read_response()
                if not self.keep_alive or conn.closed_by_server:
                    conn.close()
                    conn = None
            except (OSError, harness.ConnectionClosed) as e:
                status = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            self.records.append((time.monotonic(), status, time.perf_counter() - begin))
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stop_flag.wait(delay)
            else:
                next_at = time.monotonic()
        if conn is not None:
            conn.close()

    def phase(self, begin, end):
        rows = [r for r in self.records if begin <= r[0] < end]
        latencies = sorted(r[2] for r in rows)
        failures = collections.Counter(str(r[1]) for r in rows if r[1] != 200)
        return {
            "requests": len(rows),
            "errors": sum(failures.values()),
            "failures": dict(failures),
            "p50_ms": (harness.percentile(latencies, 50) or 0) * 1000,
            "p99_ms": (harness.percentile(latencies, 99) or 0) * 1000,
            "max_ms": (latencies[-1] if latencies else 0) * 1000,
        }


def spread(values):
    values = sorted(values)
    if not values:
        return "-"
    return (f"{len(values):,}: min {values[0]:.1f}, p50 {harness.percentile(values, 50):.1f}, "
            f"max {values[-1]:.1f}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--binary", default=harness.DEFAULT_BINARY, help="keymint executable (default: build/keymint)")
    parser.add_argument("--idle", type=int, default=10000, help="idle keep-alive connections to hold (default 10000)")
    parser.add_argument("--slow", type=int, default=1000, help="slow-loris connections to hold (default 1000)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="how long the hostile connections run, opening included (default 60: past keymint's 30 s timeouts)")
    parser.add_argument("--baseline", type=float, default=3.0, help="seconds of the normal client alone first (default 3)")
    parser.add_argument("--after", type=float, default=5.0, help="seconds of the normal client alone at the end (default 5)")
    parser.add_argument("--byte-interval", type=float, default=2.5, help="seconds between a slow connection's bytes (default 2.5, +-20%%)")
    parser.add_argument("--normal-interval", type=float, default=0.1, help="seconds between the normal client's requests, each kind (default 0.1)")
    parser.add_argument("--max-connections", type=int, default=None,
                        help="KEYMINT_MAX_CONNECTIONS (default idle + slow + 1000; 0: keymint's own default, 10000)")
    parser.add_argument("--no-reconnect-idle", dest="reconnect_idle", action="store_false",
                        help="do not reopen an idle connection keymint closed")
    parser.add_argument("--threads", type=int, help="keymint I/O threads (default: keymint's, the core count)")
    parser.add_argument("--env", action="append", default=[], metavar="KEYMINT_X=V", help="extra keymint setting (repeatable)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if args.idle < 0 or args.slow < 0 or args.idle + args.slow == 0:
        parser.error("--idle and --slow must be >= 0, not both 0")
    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.max_connections is None:
        args.max_connections = args.idle + args.slow + 1000
    if args.max_connections > 0:
        extra_env["KEYMINT_MAX_CONNECTIONS"] = str(args.max_connections)
    cap_text = str(args.max_connections) if args.max_connections > 0 else "keymint's default (10000)"

    nofile = harness.raise_nofile_limit()
    if args.idle + args.slow + 64 > nofile:
        parser.error(f"{args.idle + args.slow} connections do not fit the open-file limit {nofile} (ulimit -Hn)")

    harness.exit_on_termination_signals()
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    hostile = None
    clients = []
    code = 2
    try:
        with harness.Keymint(args.binary, env=extra_env, threads=args.threads) as km:
            port = km.port
            print(f"keymint pid {km.pid} on 127.0.0.1:{port}, max connections {cap_text}; {harness.machine_line()}",
                  flush=True)
            admin = harness.admin_token(port)
            key = harness.create_access_key(port, admin, "normal")
            mem = {"before": (km.rss_kib(), km.open_fds())}

            clients = [NormalClient(port, key, args.normal_interval, keep_alive=False),
                       NormalClient(port, key, args.normal_interval, keep_alive=True)]
            t0 = time.monotonic()
            for c in clients:
                c.start()
            print(f"baseline: the normal client alone for {args.baseline:g} s", flush=True)
            time.sleep(args.baseline)

            shared = ctx.Array("q", FIELDS, lock=False)
            results = ctx.Queue()
            hostile = ctx.Process(target=hostile_process, daemon=True,
                                  args=(port, args.idle, args.slow, args.byte_interval, args.reconnect_idle, stop,
                                        shared, results))
            print(f"hostile: {args.idle} idle + {args.slow} slow connections for {args.seconds:g} s", flush=True)
            print("    t  idle held  slow open  keymint fds  VmRSS MiB  normal p50 ms (new conn / keep-alive)")
            t1 = time.monotonic()
            hostile.start()
            peak_rss = peak_fds = 0
            all_open = None  # (seconds to open all, rss, fds)
            last_print = t1
            while time.monotonic() - t1 < args.seconds:
                time.sleep(0.5)
                now = time.monotonic()
                rss, fds = km.rss_kib() or 0, km.open_fds() or 0
                peak_rss, peak_fds = max(peak_rss, rss), max(peak_fds, fds)
                if all_open is None and shared[ALL_OPEN_AT_MS]:
                    all_open = (shared[ALL_OPEN_AT_MS] / 1000.0 - t1, rss, fds)
                if now - last_print >= 5.0:
                    last_print = now
                    p50 = [c.phase(now - 5.0, now)["p50_ms"] for c in clients]
                    print(f"{now - t1:5.0f}  {shared[HELD_IDLE]:9,}  {shared[OPEN_SLOW]:9,}  {fds:11,}  "
                          f"{rss / 1024:9.1f}  {p50[0]:.1f} / {p50[1]:.1f}", flush=True)
                if not km.alive():
                    print("keymint is gone", flush=True)
                    break
            if all_open:
                mem[f"all hostile connections open ({all_open[0]:.1f} s)"] = (all_open[1], all_open[2])
            mem["peak with hostile connections"] = (peak_rss, peak_fds)
            stop.set()
            stats = results.get(timeout=120)
            hostile.join(30)
            t2 = time.monotonic()
            time.sleep(1.0)
            mem["1 s after they closed"] = (km.rss_kib(), km.open_fds())
            time.sleep(max(0.0, args.after - 1.0))
            t3 = time.monotonic()
            for c in clients:
                c.stop_flag.set()
            for c in clients:
                c.join(40)
            mem[f"{args.after:g} s after they closed"] = (km.rss_kib(), km.open_fds())
            hwm = km.hwm_kib()
            alive = km.alive()
            exit_code = km.stop()
            log_tail = getattr(km, "saved_log", "")

        phases = collections.OrderedDict()
        for name, begin, end in (("alone, before", t0, t1), ("with hostile connections", t1, t2),
                                 ("alone, after", t2, t3)):
            for c in clients:
                phases[(name, "keep-alive" if c.keep_alive else "new connection")] = c.phase(begin, end)
        errors = sum(p["errors"] for p in phases.values())
        print_report(args, cap_text, phases, stats, mem, hwm, all_open, alive, exit_code)
        if exit_code != 0:
            print(f"\nkeymint exited with {exit_code}; last log lines:\n{log_tail}")
        failed = errors != 0 or not alive or exit_code != 0
        if args.json:
            print(json.dumps({"phases": {" / ".join(k): v for k, v in phases.items()},
                              "hostile": {k: v for k, v in stats.items() if not isinstance(v, list)},
                              "memory": mem, "hwm_kib": hwm, "exit_code": exit_code}))
        print(f"\n{'FAIL' if failed else 'PASS'}: the normal client had {errors} failed request(s) "
              f"(criterion: 0); keymint {'stopped cleanly' if exit_code == 0 else f'exited with {exit_code}'}")
        code = 1 if failed else 0
    finally:
        stop.set()
        for c in clients:
            c.stop_flag.set()
        if hostile is not None and hostile.is_alive():
            hostile.join(10)
            if hostile.is_alive():
                hostile.terminate()
                hostile.join(5)
    return code


def print_report(args, cap_text, phases, stats, mem, hwm, all_open, alive, exit_code):
    rows = []
    for (name, kind), p in phases.items():
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(p["failures"].items())) or "-"
        rows.append([name, kind, p["requests"], p["errors"], p["p50_ms"], p["p99_ms"], p["max_ms"], failures])
    harness.print_table(f"Normal client: a token every {args.normal_interval:g} s of each kind (v2 client_credentials)",
                        ["phase", "connection", "requests", "errors", "p50 ms", "p99 ms", "max ms", "failures"], rows)

    rows = [
        ["max connections (keymint)", cap_text],
        ["open-file limit of the client script", stats["nofile"]],
        ["seconds until all were open", f"{all_open[0]:.1f}" if all_open else "never"],
        ["most idle connections held at once", f"{stats['max_held_idle']:,} of {args.idle:,}"],
        ["most slow connections open at once", f"{stats['max_open_slow']:,} of {args.slow:,}"],
        ["connects made", stats["connects"]],
        ["connect errors", ", ".join(f"{k}: {v}" for k, v in stats["connect_errors"].items()) or "0"],
        ["answers to idle connections", ", ".join(f"{k}: {v:,}" for k, v in sorted(stats["answers"].items())) or "-"],
        ["answers to slow connections", ", ".join(f"{k}: {v:,}" for k, v in sorted(stats["slow_answers"].items())) or "none"],
        ["idle closed by keymint: count, idle s", spread(stats["idle_closed_after"])],
        ["idle closed before any answer (refused unanswered)", stats["idle_closed_unanswered"]],
        ["slow closed by keymint: count, open s", spread(stats["slow_closed_after"])],
        [f"slow closed unanswered within {EARLY_CLOSE:g} s", stats["slow_closed_early"]],
        ["slow: bytes sent before the close", spread([float(b) for b in stats["slow_bytes_before_close"]])],
    ]
    harness.print_table(f"Hostile connections: {args.idle:,} idle + {args.slow:,} slow, {args.seconds:g} s",
                        ["figure", "value"], rows)

    rows = [[name, harness.mib(rss), fds] for name, (rss, fds) in mem.items()]
    rows.append(["VmHWM (peak) at the end", harness.mib(hwm), "-"])
    rows.append(["alive at the end / exit code", f"{'yes' if alive else 'NO'} / {exit_code}", "-"])
    harness.print_table("keymint", ["when", "VmRSS MiB", "open fds"], rows)


if __name__ == "__main__":
    harness.run_script(main)
