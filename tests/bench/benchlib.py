"""Shared pieces of Ferry's benchmarks: a private bus, nginx on loopback, process CPU.

Benchmarks are programs, not tests: they measure Ferry and its peers in the same run and
print ratios. Only Debian's python3 and its modules are used.
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DAEMON = "io.github.ferryhq.Ferry.Daemon"
PATH = "/io/github/ferryhq/Ferry/Daemon"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def work_dir(prefix, dir=None):
    """A new directory, removed when the benchmark exits, also when it fails half-way: a
    failed upload run otherwise leaves gigabytes in /dev/shm."""
    path = tempfile.mkdtemp(prefix=prefix, dir=dir)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class Nginx:
    def __init__(self, root, extra_location="", hosts=1):
        self.dir = work_dir("ferry-bench-nginx-")
        self.port = free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        # Several loopback addresses are several servers to Ferry's per-server limit.
        listens = " ".join(f"listen 127.0.0.{h}:{self.port};" for h in range(1, hosts + 1))
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; pid {self.dir}/pid;
error_log {self.dir}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path {self.dir}/t; proxy_temp_path {self.dir}/t;
  fastcgi_temp_path {self.dir}/t; uwsgi_temp_path {self.dir}/t; scgi_temp_path {self.dir}/t;
  server {{ {listens} root {root}; {extra_location} }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-p", self.dir, "-c", conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.proc.kill)  # also when a run fails half-way
        wait_port(self.port)

    def url(self, path, host=1):
        return f"http://127.0.0.{host}:{self.port}/{path}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Bus:
    """A private session bus whose service directory is the build tree."""

    def __init__(self, build, data_home):
        conf = os.path.join(build, "data", "services", "session.conf")
        # ferryd gets the bus's environment: its store goes into data_home.
        os.environ["XDG_DATA_HOME"] = data_home
        self.proc = subprocess.Popen(["dbus-daemon", "--config-file", conf, "--nofork",
                                      "--print-address=1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.proc.stdout.readline().strip()
        atexit.register(self.stop)  # also when a run fails half-way
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.address
        self.env = dict(os.environ)
        from gi.repository import Gio
        self.gio = Gio
        # A connection of its own: a benchmark may run two buses (two builds) side by side.
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def call(self, method, args=None, path=PATH, iface="io.github.ferryhq.Ferry.Manager1",
             timeout_ms=60000):
        return self.conn.call_sync(DAEMON, path, iface, method, args, None,
                                   self.gio.DBusCallFlags.NONE, timeout_ms, None)

    def daemon_pid(self):
        from gi.repository import GLib
        reply = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                    "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                    GLib.Variant("(s)", (DAEMON,)), None,
                                    self.gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def stop_daemon(self):
        try:
            pid = self.daemon_pid()
        except Exception:
            return
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)

    def stop(self):
        if self.proc.poll() is not None:
            return
        self.stop_daemon()
        self.proc.terminate()
        self.proc.wait()


def process_cpu_seconds(pid):
    """user + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def process_cpu_ns(pid):
    """CPU time of a process's threads that still run, in ns: the scheduler's own count, finer
    than the clock ticks of process_cpu_seconds()."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def process_rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def children_cpu_seconds():
    r = os.times()
    return r.children_user + r.children_system


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


class Sink:
    """tests/bench/sink.py on loopback: takes upload bodies, keeps their length and CRC-32."""

    def __init__(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sink.py")
        self.proc = subprocess.Popen(["/usr/bin/python3", script], stdout=subprocess.PIPE,
                                     text=True)
        atexit.register(self.proc.kill)
        self.port = int(self.proc.stdout.readline())

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def last_body(self):
        """(length, crc32) of the next body the sink reports, waiting for it."""
        _method, _path, length, crc = self.proc.stdout.readline().split()
        return int(length), int(crc, 16)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
