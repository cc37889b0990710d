"""Shared pieces of the hostile-client benchmarks (login_flood.py,
guess_flood.py, slow_clients.py). Standard library only.

- Keymint: starts `keymint serve` on a free loopback port with temporary data
  and keys directories (or given ones, which it keeps), and always stops it
  (SIGTERM, then SIGKILL after a grace period) and removes the temporary
  directories, also on Ctrl-C or an exception.
- HttpConn: a small blocking HTTP/1.1 client over one socket, optionally bound
  to a chosen source address (any 127.x.y.z is loopback on Linux), so that
  keymint sees many distinct peers.
- Figures: percentiles and a plain text table.
"""

import base64
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BINARY = os.path.join(REPO_ROOT, "build", "keymint")
ADMIN_EMAIL = "admin@bench.local"
ADMIN_PASSWORD = "bench-admin-password-123"

# Linux: bind() with port 0 normally picks the source port at bind time,
# without knowing the destination; this defers it to connect().
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


class BenchError(Exception):
    """A set-up step failed (keymint did not start, an admin call failed)."""


# ---------------------------------------------------------------- signals


def exit_on_termination_signals():
    """SIGTERM and SIGHUP end the script like Ctrl-C does, so that `finally`
    blocks stop keymint and remove the temporary directories."""

    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def _die_with_parent():
    # Runs in the child between fork and exec: if this script is killed
    # outright (SIGKILL), the kernel sends keymint SIGTERM (PR_SET_PDEATHSIG).
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort only
        pass


def raise_nofile_limit():
    """Soft RLIMIT_NOFILE up to the hard limit; returns the new soft limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- keymint


class Keymint:
    """One keymint process with temporary directories, or with `data_dir` and
    `keys_dir` when given (e.g. seeded by keymint_seed; never removed). Use as
    a context manager; stop() is idempotent."""

    def __init__(self, binary, env=None, threads=None, start_timeout=60.0, data_dir=None, keys_dir=None):
        self.binary = os.path.abspath(binary)
        self.data_dir = data_dir
        self.keys_dir = keys_dir
        self.extra_env = dict(env or {})
        self.threads = threads
        self.start_timeout = start_timeout
        self.workdir = None
        self.proc = None
        self.port = None
        self.exit_code = None
        self.log_path = None
        self._log = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError(f"no executable keymint at {self.binary} (use --binary)")
        self.workdir = tempfile.mkdtemp(prefix="keymint-bench-")
        # Only our settings: a KEYMINT_* variable of the caller's shell must
        # not change what is measured. The working directory is empty, so no
        # config/keymint.toml is picked up either (all built-in defaults).
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYMINT_")}
        env.update(
            {
                "KEYMINT_ADMIN_EMAIL": ADMIN_EMAIL,
                "KEYMINT_ADMIN_PASSWORD": ADMIN_PASSWORD,
            }
        )
        env.update({k: str(v) for k, v in self.extra_env.items()})
        args = [
            self.binary,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            self.data_dir or os.path.join(self.workdir, "data"),
            "--keys-dir",
            self.keys_dir or os.path.join(self.workdir, "keys"),
        ]
        if self.threads:
            args += ["--threads", str(self.threads)]
        self.log_path = os.path.join(self.workdir, "keymint.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            args,
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,  # Ctrl-C reaches the script, which stops keymint itself
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + self.start_timeout
        pattern = re.compile(rb"listening on http://127\.0\.0\.1:(\d+)")
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                match = pattern.search(f.read())
            if match:
                self.port = int(match.group(1))
                return
            if self.proc.poll() is not None:
                raise BenchError(f"keymint exited with {self.proc.returncode} at start:\n{self.log_tail()}")
            time.sleep(0.05)
        raise BenchError(f"keymint did not report its port within {self.start_timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines=20):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        """VmRSS of keymint in KiB (None once it is gone)."""
        return _status_field(self.pid, "VmRSS")

    def hwm_kib(self):
        """VmHWM (peak resident set) of keymint in KiB."""
        return _status_field(self.pid, "VmHWM")

    def threads_now(self):
        return _status_field(self.pid, "Threads")

    def open_fds(self):
        try:
            return len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return None

    def cpu_seconds(self):
        """User + system CPU time keymint has used so far."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            return (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            return None

    def stop(self, grace=20.0):
        """SIGTERM, wait up to `grace` seconds (keymint drains for up to 10 s),
        then SIGKILL. Removes the temporary directories. Returns the exit code."""
        if self.proc is not None and self.exit_code is None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(grace)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        self.proc.kill()
                    self.proc.wait()
            self.exit_code = self.proc.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.workdir is not None:
            self.saved_log = self.log_tail(200)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        return self.exit_code


def _status_field(pid, name):
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


# ---------------------------------------------------------------- HTTP


class ConnectionClosed(Exception):
    """The server closed the connection before a whole response arrived."""


def build_request(method, path, body=b"", content_type=None, headers=None, close=False):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_response(buf):
    """Parses one response at the start of `buf`. Returns
    (status, headers, body, rest) or None when `buf` holds no whole response."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if len(buf) < end + 4 + length:
        return None
    body = buf[end + 4 : end + 4 + length]
    return status, headers, body, buf[end + 4 + length :]


class HttpConn:
    """A blocking keep-alive HTTP/1.1 connection to keymint."""

    def __init__(self, port, source=None, timeout=10.0, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if source:
                with contextlib.suppress(OSError):
                    self.sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                self.sock.bind((source, 0))
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        except BaseException:
            self.sock.close()
            raise
        self.buf = b""
        self.closed_by_server = False

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def read_response(self):
        while True:
            parsed = parse_response(self.buf)
            if parsed is not None:
                status, headers, body, self.buf = parsed
                if headers.get("connection", "").lower() == "close":
                    self.closed_by_server = True
                return status, headers, body
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed_by_server = True
                raise ConnectionClosed("connection closed before a whole response")
            self.buf += chunk

    def request(self, method, path, body=b"", content_type=None, headers=None, close=False):
        self.send(build_request(method, path, body, content_type, headers, close))
        return self.read_response()


def json_request(port, method, path, payload=None, token=None, source=None, timeout=30.0):
    """One request on a fresh connection; returns (status, decoded JSON or None)."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    body = json.dumps(payload).encode() if payload is not None else b""
    conn = HttpConn(port, source=source, timeout=timeout)
    try:
        status, _, raw = conn.request(
            method, path, body, "application/json" if payload is not None else None, headers, close=True
        )
    finally:
        conn.close()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def password_login_body(username, password):
    return json.dumps({"grantType": "password", "username": username, "password": password}).encode()


def admin_token(port):
    status, body = json_request(
        port, "POST", "/api/v1/token", {"grantType": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    if status != 200:
        raise BenchError(f"admin login answered {status}: {body}")
    return body["accessToken"]


def create_user(port, token, email, roles=("Viewer",)):
    status, body = json_request(port, "POST", "/api/v1/users", {"email": email, "roles": list(roles)}, token)
    if status != 201:
        raise BenchError(f"creating user {email} answered {status}: {body}")
    return body  # id, username, tempPassword


def create_access_key(port, token, name="bench"):
    status, body = json_request(port, "POST", "/api/v1/access-keys", {"name": name}, token)
    if status != 201:
        raise BenchError(f"creating access key answered {status}: {body}")
    return body  # id, name, clientId, clientSecret, createdAt


def v2_client_credentials_body(client_id, client_secret):
    # Both are URL-safe base64 text: nothing to percent-encode.
    return f"grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}".encode()


def random_url_safe(nbytes):
    return base64.urlsafe_b64encode(os.urandom(nbytes)).rstrip(b"=").decode()


# ---------------------------------------------------------------- figures


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list (None if empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-p * len(sorted_values) // 100))  # ceil(p/100 * n)
    return sorted_values[min(len(sorted_values), int(rank)) - 1]


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def mib(kib):
    return None if kib is None else kib / 1024.0


def print_table(title, header, rows):
    """A plain table: a title line, then columns padded to their widest cell."""
    cells = [[str(c) for c in header]] + [[fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print()
    print(title)
    for index, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def machine_line():
    try:
        with open("/etc/os-release") as f:
            pretty = next((l.split("=", 1)[1].strip().strip('"') for l in f if l.startswith("PRETTY_NAME=")), "")
    except OSError:
        pretty = ""
    load = "load average %.1f %.1f %.1f" % os.getloadavg()
    return f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores, {pretty}, {load}"


def warn(message):
    print(f"warning: {message}", file=sys.stderr, flush=True)


def run_script(main):
    """Exits with main()'s code; 2 when set-up fails (BenchError), 130 on Ctrl-C."""
    try:
        code = main()
    except BenchError as e:
        print(f"set-up failed: {e}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)
