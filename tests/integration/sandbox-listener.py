#!/usr/bin/python3
"""Listens to ferryd from inside the sandbox test: says it is there (ListTransfers), adds one
download of its own, then prints every signal ferryd sends it for SECONDS.

usage: sandbox-listener.py URI SECONDS
"""
import sys

from gi.repository import Gio, GLib

NAME = "io.github.ferryhq.Ferry.Daemon"
PATH = "/io/github/ferryhq/Ferry/Daemon"

bus = Gio.bus_get_sync(Gio.BusType.SESSION)


def on_signal(connection, sender, path, interface, member, parameters):
    print(f"{member} {path} {parameters.print_(False)}", flush=True)


bus.signal_subscribe(NAME, None, None, None, None, Gio.DBusSignalFlags.NONE, on_signal)
bus.call_sync(NAME, PATH, "io.github.ferryhq.Ferry.Manager1", "ListTransfers",
              GLib.Variant("(s)", ("",)), None, Gio.DBusCallFlags.NONE, -1, None)
print("listening", flush=True)
reply = bus.call_sync(NAME, PATH, "io.github.ferryhq.Ferry.Manager1", "AddDownload",
                      GLib.Variant("(sa{sv})", (sys.argv[1], {})), None,
                      Gio.DBusCallFlags.NONE, -1, None)
print(f"added {reply.unpack()[0]}", flush=True)

loop = GLib.MainLoop()
GLib.timeout_add(int(float(sys.argv[2]) * 1000), loop.quit)
loop.run()
