#!/usr/bin/python3
# test-flatpak.py SOURCE BUILD: Ferry built with flatpak-builder and run as a Flatpak, for real.
#
# Everything lives under BUILD/flatpak: a runtime and SDK made from this machine's packages
# (make-runtime.py, cached), a private flatpak user installation and HOME, and a private
# session bus whose service directory is that installation's exports, so the exported
# daemon is D-Bus-activated by name through `flatpak run`, as on a desktop. The machine's
# own flatpak state is never touched. Speaks TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import hashlib
import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

SOURCE = os.path.abspath(sys.argv[1])
BUILD = os.path.abspath(sys.argv[2])
TOP = os.path.join(BUILD, "flatpak")
APP = "io.github.ferryhq.Ferry"
DAEMON = APP + ".Daemon"
SENDER = "org.ferry.TestSender"
TIMEOUT = 120          # for state waits; a build has no timeout but meson's
HOME = os.path.join(TOP, "home")
DOWNLOADS = os.path.join(HOME, "Downloads")
FERRYCTL = os.path.join(BUILD, "src", "cli", "ferryctl")
STORE = os.path.join(HOME, ".var", "app", APP, "data", "ferry", "ferry.db")

ENV = dict(os.environ)
ENV.update({
    "HOME": HOME,
    "XDG_DATA_HOME": os.path.join(HOME, ".local", "share"),
    "XDG_CONFIG_HOME": os.path.join(HOME, ".config"),
    "XDG_CACHE_HOME": os.path.join(HOME, ".cache"),
    "XDG_RUNTIME_DIR": os.path.join(TOP, "run"),
    "FLATPAK_USER_DIR": os.path.join(TOP, "user"),
    "FLATPAK_SYSTEM_DIR": os.path.join(TOP, "system"),
    "FLATPAK_CONFIG_DIR": os.path.join(TOP, "etc"),
    "GSK_RENDERER": "cairo",
    "NO_AT_BRIDGE": "1",
    "LC_ALL": "C.UTF-8",
})
for key in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GIO_USE_NETWORK_MONITOR",
            "GSETTINGS_BACKEND", "GSETTINGS_SCHEMA_DIR", "FERRY_SERVICE_DIR", "G_DEBUG",
            "MALLOC_CHECK_"):
    ENV.pop(key, None)

results = []
cleanups = []


def log(*args):
    print("#", *args, flush=True)


def run(args, check=True, timeout=None, quiet=False, **kwargs):
    log("$", " ".join(args))
    p = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=timeout, **kwargs)
    for line in ((p.stderr if quiet else p.stdout + p.stderr).splitlines())[-25:]:
        log("  ", line)
    if check and p.returncode != 0:
        raise AssertionError("%s exited with %d" % (args[0], p.returncode))
    return p


def case(name):
    def wrap(func):
        results.append((name, func))
        return func
    return wrap


def wait_for(what, predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting for " + what)
        time.sleep(0.1)


# -- A server on 127.0.0.1 that the sandbox reaches through --share=network ----------------

BODY = hashlib.sha256(b"ferry").digest() * (8 * 1024 * 1024 // 32)     # 8 MiB
BODY_SHA256 = hashlib.sha256(BODY).hexdigest()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests = []          # (path, Range header) in order
        self.holds = {}             # path → Event: set, its first response may finish
        self.lock = threading.Lock()

    def hold(self, path):
        with self.lock:
            return self.holds.setdefault(path, threading.Event())

    def release_all(self):
        with self.lock:
            for event in self.holds.values():
                event.set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            first = not any(p == self.path for p, _ in server.requests)
            server.requests.append((self.path, self.headers.get("Range")))
        start = 0
        if self.headers.get("Range", "").startswith("bytes=") and \
                self.headers.get("If-Range", '"v1"') == '"v1"':
            start = int(self.headers["Range"][6:].split("-")[0])
        self.send_response(206 if start else 200)
        self.send_header("ETag", '"v1"')
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(BODY) - 1, len(BODY)))
        self.send_header("Content-Length", str(len(BODY) - start))
        self.end_headers()
        try:
            if self.path.startswith("/held") and first:
                # Slow enough for ferryd to checkpoint (every 2 s while bytes flow), then
                # nothing more until the test lets go: so the transfer is surely running
                # when the test kills ferryd or takes its permission away.
                for offset in range(0, 4 * 1024 * 1024, 64 * 1024):
                    self.wfile.write(BODY[offset:offset + 64 * 1024])
                    self.wfile.flush()
                    time.sleep(0.05)
                server.hold(self.path).wait(TIMEOUT)
                return
            self.wfile.write(BODY[start:])
        except (BrokenPipeError, ConnectionResetError):
            pass


# -- Steps ---------------------------------------------------------------------------------

state = {}


def flatpak(*args, **kwargs):
    return run(["flatpak"] + list(args), **kwargs)


def ferryctl_host(*args, **kwargs):
    kwargs.setdefault("quiet", "--json" in args)
    return run([FERRYCTL] + list(args), **kwargs)


def ferryctl_sandbox(*args, **kwargs):
    return flatpak("run", "--command=ferryctl", APP, *args, **kwargs)


def transfers():
    return json.loads(ferryctl_host("list", "--json").stdout)


def transfer(tid):
    return next(t for t in transfers() if t["id"] == tid)


def daemon_pid():
    """The host PID of ferryd, the main process of the daemon's sandbox."""
    out = flatpak("ps", "--columns=application,child-pid").stdout
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or fields[0] != APP:
            continue
        try:
            with open("/proc/%s/cmdline" % fields[1], "rb") as f:
                if b"ferryd" in f.read():
                    return int(fields[1])
        except OSError:
            pass
    return None


def name_owner(name):
    p = run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
             "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.NameHasOwner", name],
            check=False)
    return "true" in p.stdout


def portal_calls(method):
    with open(state["portal"]) as f:
        calls = [json.loads(line) for line in f if line.strip()]
    return [c["args"] for c in calls if c["method"] == method]


def set_portal(what, value):
    run(["gdbus", "call", "--session", "--dest", "org.freedesktop.portal.Desktop",
         "--object-path", "/org/freedesktop/portal/desktop", "--method",
         "org.ferry.TestPortal.Set" + what, "true" if value else "false"])


def write_manifest(path, manifest):
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)


def build_app(manifest_path, name):
    repo = os.path.join(TOP, "app-repo")
    run(["nice", "flatpak-builder", "--user", "--disable-rofiles-fuse", "--force-clean",
         "--state-dir", os.path.join(TOP, "builder-state"), "--repo", repo,
         os.path.join(TOP, "build-" + name), manifest_path])
    return repo


@case("a runtime and SDK made from this machine's packages are installed")
def step_runtime():
    for d in ("run", "etc", "system", "user"):
        os.makedirs(os.path.join(TOP, d), exist_ok=True)
    os.chmod(ENV["XDG_RUNTIME_DIR"], 0o700)
    os.makedirs(DOWNLOADS, exist_ok=True)
    # As on a desktop: flatpak resolves --filesystem=xdg-download with the host's user dirs,
    # and shares nothing when the Downloads folder is not configured.
    os.makedirs(ENV["XDG_CONFIG_HOME"], exist_ok=True)
    with open(os.path.join(ENV["XDG_CONFIG_HOME"], "user-dirs.dirs"), "w") as f:
        f.write('XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')
    run(["nice", "/usr/bin/python3", os.path.join(SOURCE, "tests", "flatpak", "make-runtime.py"),
         TOP])
    flatpak("--user", "remote-add", "--if-not-exists", "--no-gpg-verify", "ferry-local",
            "file://" + os.path.join(TOP, "repo"))
    flatpak("--user", "install", "-y", "--noninteractive", "--or-update", "ferry-local",
            "org.ferry.LocalPlatform//12", "org.ferry.LocalSdk//12")
    out = flatpak("--user", "list", "--runtime", "--columns=application,branch").stdout
    assert "org.ferry.LocalPlatform\t12" in out and "org.ferry.LocalSdk\t12" in out, out


@case("flatpak-builder builds Ferry from the manifest, and its bundle installs")
def step_build():
    with open(os.path.join(SOURCE, "flatpak", APP + ".json")) as f:
        manifest = json.load(f)
    # The test variant differs only in the runtime it builds against and where the source is;
    # every permission is the manifest's own.
    manifest.update({"runtime": "org.ferry.LocalPlatform", "sdk": "org.ferry.LocalSdk",
                     "runtime-version": "12", "appstream-compose": False})
    source = manifest["modules"][-1]["sources"][0]
    source["path"] = SOURCE
    source.setdefault("skip", []).extend([os.path.relpath(BUILD, SOURCE), ".git"])
    path = os.path.join(TOP, APP + ".json")
    write_manifest(path, manifest)
    repo = build_app(path, "ferry")
    bundle = os.path.join(TOP, "ferry.flatpak")
    flatpak("build-bundle", repo, bundle, APP)
    flatpak("--user", "install", "-y", "--noninteractive", "--reinstall", "--bundle", bundle)
    info = flatpak("--user", "info", "--show-permissions", APP).stdout
    for permission in manifest["finish-args"]:
        key, _, value = permission[2:].partition("=")
        assert value.split(":")[0] in info, "%s is not granted:\n%s" % (permission, info)
    services = os.path.join(ENV["FLATPAK_USER_DIR"], "exports", "share", "dbus-1", "services")
    with open(os.path.join(services, DAEMON + ".service")) as f:
        exported = f.read()
    log(exported.strip())
    assert "flatpak run" in exported and "ferryd" in exported, exported


@case("a second app, built the same way, can talk to the daemon's name only")
def step_sender():
    script = os.path.join(TOP, "sender.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n"
                "# Hands one download to Ferry over D-Bus, as any app could.\n"
                "exec gdbus call --session --dest %s --object-path /io/github/ferryhq/Ferry/Daemon"
                " --method io.github.ferryhq.Ferry.Manager1.AddDownload \"$1\" "
                "\"{'notify': <true>}\"\n" % DAEMON)
    manifest = {
        "id": SENDER, "runtime": "org.ferry.LocalPlatform", "runtime-version": "12",
        "sdk": "org.ferry.LocalSdk", "command": "sender", "appstream-compose": False,
        "finish-args": ["--share=network", "--talk-name=" + DAEMON],
        "modules": [{"name": "sender", "buildsystem": "simple",
                     "build-commands": ["install -D sender.sh /app/bin/sender"],
                     "sources": [{"type": "file", "path": script}]}],
    }
    path = os.path.join(TOP, SENDER + ".json")
    write_manifest(path, manifest)
    repo = build_app(path, "sender")
    flatpak("--user", "remote-add", "--if-not-exists", "--no-gpg-verify", "ferry-apps",
            "file://" + repo)
    flatpak("--user", "install", "-y", "--noninteractive", "--reinstall", "ferry-apps", SENDER)
    info = flatpak("--user", "info", "--show-permissions", SENDER).stdout
    assert DAEMON in info, info


@case("a private session bus activates the exported daemon by name")
def step_bus():
    # Every run starts with no transfers and an empty Downloads folder.
    shutil.rmtree(os.path.join(HOME, ".var", "app"), ignore_errors=True)
    shutil.rmtree(DOWNLOADS)
    os.makedirs(DOWNLOADS)
    conf = os.path.join(TOP, "session.conf")
    services = os.path.join(ENV["FLATPAK_USER_DIR"], "exports", "share", "dbus-1", "services")
    with open(conf, "w") as f:
        f.write("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig><type>session</type><listen>unix:path=%s</listen>"
                "<servicedir>%s</servicedir><policy context=\"default\">"
                "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
                "<allow own=\"*\"/></policy></busconfig>\n"
                % (os.path.join(ENV["XDG_RUNTIME_DIR"], "bus"), services))
    # A system bus of its own with python3-dbusmock's logind, which the sandbox reaches
    # through --system-talk-name=org.freedesktop.login1 (flatpak honours
    # DBUS_SYSTEM_BUS_ADDRESS for the system bus proxy).
    system = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address",
                               "--address=unix:path=" + os.path.join(TOP, "run", "system_bus")],
                              env=ENV, stdout=subprocess.PIPE, text=True)
    cleanups.append(lambda: (system.terminate(), system.wait()))
    ENV["DBUS_SYSTEM_BUS_ADDRESS"] = system.stdout.readline().strip()
    logind = subprocess.Popen(["/usr/bin/python3", "-m", "dbusmock", "--system", "--template",
                               "logind"], env=ENV, stdout=subprocess.DEVNULL)
    cleanups.append(lambda: (logind.terminate(), logind.wait()))
    wait_for("logind", lambda: "true" in run(
        ["gdbus", "call", "--system", "--dest", "org.freedesktop.DBus", "--object-path",
         "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.NameHasOwner",
         "org.freedesktop.login1"], check=False).stdout)
    bus = subprocess.Popen(["dbus-daemon", "--config-file", conf, "--nofork", "--print-address"],
                           env=ENV, stdout=subprocess.PIPE, text=True)
    cleanups.append(lambda: (bus.terminate(), bus.wait()))
    ENV["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    # A record of who took Ferry's app name and what ferryd asked of the app.
    monitor_log = open(os.path.join(TOP, "monitor.log"), "w")
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session",
         "type='signal',member='NameOwnerChanged',arg0='%s'" % APP,
         "type='method_call',interface='org.freedesktop.Application',member='ActivateAction'"],
        env=ENV, stdout=monitor_log, stderr=subprocess.DEVNULL)
    cleanups.append(lambda: (monitor.terminate(), monitor.wait()))
    state["monitor"] = monitor_log.name
    # The portals the sandbox uses instead of NetworkManager, notification daemons and
    # autostart entries, standing in for xdg-desktop-portal.
    state["portal"] = os.path.join(TOP, "portal.log")
    open(state["portal"], "w").close()
    portal = subprocess.Popen(["/usr/bin/python3", os.path.join(SOURCE, "tests", "flatpak",
                                                                "fake-portal.py"),
                               state["portal"]], env=ENV)
    cleanups.append(lambda: (portal.terminate(), portal.wait()))
    wait_for("the portal", lambda: portal_calls("ready"))
    assert not name_owner(DAEMON)
    out = run(["gdbus", "call", "--session", "--dest", DAEMON, "--object-path",
               "/io/github/ferryhq/Ferry/Daemon", "--method",
               "org.freedesktop.DBus.Properties.Get", "io.github.ferryhq.Ferry.Manager1",
               "Version"], timeout=TIMEOUT).stdout
    assert "<'" in out, out
    pid = wait_for("ferryd's sandbox", daemon_pid)
    with open("/proc/%d/root/.flatpak-info" % pid) as f:
        assert "name=" + APP in f.read()
    log("ferryd runs sandboxed as host PID", pid)


@case("ferryctl on the host downloads into the Downloads folder, sha256 right")
def step_download():
    server = state["server"]
    url = "http://127.0.0.1:%d/small.bin" % server.server_port
    out = ferryctl_host("add", url, "--sha256", BODY_SHA256, "--wait", timeout=TIMEOUT)
    log(out.stdout.strip())
    done = [t for t in transfers() if t["uri"] == url]
    assert len(done) == 1 and done[0]["state"] == "completed", done
    destination = done[0]["destination"]
    assert os.path.dirname(destination) in (DOWNLOADS, os.path.realpath(DOWNLOADS)), destination
    with open(os.path.join(DOWNLOADS, os.path.basename(destination)), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == BODY_SHA256


@case("kill -9 of the sandboxed ferryd mid-way: the download resumes from its checkpoint")
def step_kill():
    server = state["server"]
    url = "http://127.0.0.1:%d/held.bin" % server.server_port
    out = ferryctl_host("add", url, "--sha256", BODY_SHA256, "--name", "held.bin")
    tid = next(t["id"] for t in transfers() if t["uri"] == url)
    log(out.stdout.strip(), "id", tid)

    def checkpointed():
        db = sqlite3.connect("file:%s?mode=ro" % STORE, uri=True)
        try:
            row = db.execute("SELECT bytes_done FROM transfers WHERE id = ?", (tid,)).fetchone()
        finally:
            db.close()
        return row is not None and row[0] > 0 and row[0]

    checkpoint = wait_for("a checkpoint in the store", checkpointed)
    pid = daemon_pid()
    os.kill(pid, signal.SIGKILL)
    wait_for("ferryd to leave the bus", lambda: not name_owner(DAEMON))
    log("killed ferryd (%d) with %d bytes checkpointed" % (pid, checkpoint))
    server.hold("/held.bin").set()
    # Any call activates it again; it picks the transfer up by itself.
    ferryctl_host("wait", str(tid), timeout=TIMEOUT)
    assert transfer(tid)["state"] == "completed"
    ranges = [r for p, r in server.requests if p == "/held.bin"]
    log("requests for held.bin:", ranges)
    assert len(ranges) >= 2 and ranges[0] is None
    assert ranges[-1] is not None and int(ranges[-1][6:].split("-")[0]) > 0, ranges
    with open(os.path.join(DOWNLOADS, "held.bin"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == BODY_SHA256


@case("the sandboxed ferryd held logind's sleep inhibitor while downloading")
def step_inhibit():
    out = run(["gdbus", "call", "--system", "--dest", "org.freedesktop.login1", "--object-path",
               "/org/freedesktop/login1", "--method", "org.freedesktop.DBus.Mock.GetMethodCalls",
               "Inhibit"]).stdout
    assert "'sleep'" in out and "Ferry" in out, out


def permission_taken_away(name, add_option, portal, reason):
    """A download running from a held server waits with @reason once @portal says so, and
    finishes, from where it stopped, once it no longer does."""
    server = state["server"]
    path = "/held-%s.bin" % name
    url = "http://127.0.0.1:%d%s" % (server.server_port, path)
    ferryctl_host("add", url, add_option, "--name", name + ".bin", "--sha256", BODY_SHA256)
    tid = next(t["id"] for t in transfers() if t["uri"] == url)
    wait_for("the download to run", lambda: transfer(tid)["state"] == "running")
    set_portal(portal, True)
    waiting = wait_for("the download to wait (%s)" % reason,
                       lambda: reason in transfer(tid)["wait_reasons"] and transfer(tid))
    assert waiting["state"] == "waiting", waiting
    set_portal(portal, False)
    ferryctl_host("wait", str(tid), timeout=TIMEOUT)
    assert transfer(tid)["state"] == "completed"
    ranges = [r for p, r in server.requests if p == path]
    log("requests for %s: %s" % (path, ranges))
    assert len(ranges) == 2 and ranges[0] is None and ranges[1] is not None, ranges
    with open(os.path.join(DOWNLOADS, name + ".bin"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == BODY_SHA256


@case("the NetworkMonitor portal stands in for NetworkManager: metered stops and waits")
def step_metered():
    permission_taken_away("metered", "--no-metered", "Metered", "metered")


@case("the PowerProfileMonitor portal stands in for power-profiles-daemon: power saving waits")
def step_power_saver():
    permission_taken_away("background", "--background", "PowerSaver", "power-saver")


@case("ferryctl inside the sandbox sees and adds transfers like the host's")
def step_sandbox_ferryctl():
    server = state["server"]
    listed = json.loads(ferryctl_sandbox("list", "--json", quiet=True).stdout)
    assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in transfers()), listed
    url = "http://127.0.0.1:%d/inside.bin" % server.server_port
    ferryctl_sandbox("add", url, "--name", "inside.bin", "--sha256", BODY_SHA256, "--wait",
                     timeout=TIMEOUT)
    with open(os.path.join(DOWNLOADS, "inside.bin"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == BODY_SHA256


@case("another sandboxed app is refused with a sentence, and nothing is added")
def step_sender_refused():
    server = state["server"]
    before = len(transfers())
    url = "http://127.0.0.1:%d/sender.bin" % server.server_port
    p = flatpak("run", SENDER, url, check=False)
    assert p.returncode != 0, p.stdout
    assert "AccessDenied" in p.stderr and "Ferry runs in its own Flatpak sandbox" in p.stderr, \
        p.stderr
    assert len(transfers()) == before
    assert not any(path == "/sender.bin" for path, _ in server.requests)


@case("the app runs under Xvfb, shows its window, and a screenshot is written")
def step_app():
    # Xvfb picks a free display and says which once it listens.
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x720x24",
                             "-nolisten", "tcp"], env=ENV, pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cleanups.append(lambda: (xvfb.terminate(), xvfb.wait()))
    os.close(write_end)
    with os.fdopen(read_end) as f:
        display = ":" + f.readline().strip()
    assert display != ":", "Xvfb did not start"
    ENV["DISPLAY"] = display
    # As a desktop session does, so that apps D-Bus activates can open windows.
    run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
         "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.UpdateActivationEnvironment",
         "{'DISPLAY': '%s', 'GSK_RENDERER': 'cairo'}" % display])
    app = subprocess.Popen(["flatpak", "run", APP], env=ENV, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    cleanups.append(lambda: (app.terminate(), app.wait()))
    wait_for("the app on the bus", lambda: name_owner(APP))

    def window():
        p = run(["xdotool", "search", "--onlyvisible", "--name", "Ferry"], check=False)
        return p.stdout.split()

    wait_for("the app's window", window)
    # At its first run it asks the Background portal to start the service at login.
    request = wait_for("the Background request", lambda: portal_calls("RequestBackground"))
    log("RequestBackground", request[0])
    assert request[0][1]["commandline"] == ["/app/libexec/ferryd", "--autostart"], request
    shots = os.path.join(BUILD, "tests", "screenshots")
    os.makedirs(shots, exist_ok=True)
    png = os.path.join(shots, "flatpak-window.png")
    # Rows fill in and transitions end after the window maps: the picture is taken once two
    # in a row are the same.
    previous = None
    for attempt in range(200):
        run(["import", "-window", "root", png])
        with open(png, "rb") as f:
            picture = hashlib.sha256(f.read()).digest()
        if picture == previous:
            break
        previous = picture
    else:
        raise AssertionError("the window never stopped changing")
    log("screenshot:", png)
    # bwrap does not pass SIGTERM on; the app quits the way its menu does.
    run(["gdbus", "call", "--session", "--dest", APP, "--object-path", "/io/github/ferryhq/Ferry",
         "--method", "org.freedesktop.Application.ActivateAction", "quit", "[]", "{}"])
    wait_for("the app to leave the bus", lambda: not name_owner(APP))
    app.wait(TIMEOUT)


@case("transfers-finished relaunches Ferry's own app through its exported D-Bus service")
def step_relaunch():
    # A client that proves it is Ferry the way ferryctl does, adding a download that asks
    # for its session's app to be told when it ends.
    server = state["server"]
    url = "http://127.0.0.1:%d/notify.bin" % server.server_port
    code = (
        "import sys\n"
        "from gi.repository import Gio, GLib\n"
        "bus = Gio.bus_get_sync(Gio.BusType.SESSION)\n"
        "name = '%s.Client.c' + ''.join(c if c.isalnum() or c == '-' else '_'\n"
        "                              for c in bus.get_unique_name()[1:])\n"
        "bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',\n"
        "              'RequestName', GLib.Variant('(su)', (name, 4)), None, 0, -1)\n"
        "opts = {'session': GLib.Variant('s', '%s'), 'notify': GLib.Variant('b', True),\n"
        "        'identifier': GLib.Variant('s', 'notify-1'),\n"
        "        'filename': GLib.Variant('s', 'notify.bin')}\n"
        "print(bus.call_sync('%s', '/io/github/ferryhq/Ferry/Daemon',\n"
        "                    'io.github.ferryhq.Ferry.Manager1', 'AddDownload',\n"
        "                    GLib.Variant('(sa{sv})', (sys.argv[1], opts)), None, 0, -1))\n"
        % (APP, APP, DAEMON))
    assert not name_owner(APP)
    with open(state["monitor"]) as f:
        seen = len(f.read())

    def relaunched():
        with open(state["monitor"]) as f:
            record = f.read()[seen:]
        call = record.find('string "transfers-finished"')
        # The call, carrying the identifier, and the app taking its name to answer it.
        return (call >= 0 and '"notify-1"' in record[call:call + 400] and
                'string "%s"\n   string ""\n   string ":' % APP in record)

    run(["/usr/bin/python3", "-c", code, url])
    wait_for("ferryd to activate the app with transfers-finished", relaunched)
    t = next(t for t in transfers() if t["uri"] == url)
    assert t["state"] == "completed", t
    # …and the app, woken for it, says so through the Notification portal.
    note = wait_for("the notification", lambda: [n for n in portal_calls("AddNotification")
                                                 if "notify.bin" in n[1].get("title", "")])
    log("AddNotification", note[0])
    assert note[0][1]["title"] == "Download finished: notify.bin", note
    apps = flatpak("ps", "--columns=application,child-pid").stdout
    log(apps.strip())


def main():
    missing = [p for p in ("flatpak", "flatpak-builder", "bwrap", "eu-strip", "Xvfb", "import",
                           "xdotool", "dbus-monitor") if shutil.which(p) is None]
    if missing:
        print("1..0 # SKIP not installed: %s (build-aux/dev test --flatpak installs them)"
              % " ".join(missing))
        return 0
    server = Server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["server"] = server
    started = time.monotonic()
    print("1..%d" % len(results), flush=True)
    failed = False
    for n, (name, func) in enumerate(results, 1):
        if failed:
            print("not ok %d - %s # SKIP an earlier step failed" % (n, name), flush=True)
            continue
        t = time.monotonic()
        try:
            func()
            print("ok %d - %s (%.1f s)" % (n, name, time.monotonic() - t), flush=True)
        except Exception as e:   # noqa: BLE001 - every failure is reported as TAP
            import traceback
            for line in traceback.format_exc().splitlines():
                log(line)
            print("not ok %d - %s: %s" % (n, name, e), flush=True)
            failed = True
    log("total %.1f s" % (time.monotonic() - started))
    server.release_all()
    # The sandboxes this run started (ferryd, a relaunched app): our private installation's
    # instances, by their wrapper's PID.
    try:
        for line in flatpak("ps", "--columns=pid").stdout.split():
            os.kill(int(line), signal.SIGKILL)
    except Exception:   # noqa: BLE001
        pass
    for cleanup in reversed(cleanups):
        try:
            cleanup()
        except Exception:   # noqa: BLE001
            pass
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
