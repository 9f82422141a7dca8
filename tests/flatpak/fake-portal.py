#!/usr/bin/python3
# fake-portal.py LOG: the parts of xdg-desktop-portal a sandboxed Ferry uses, on the session
# bus as org.freedesktop.portal.Desktop, so the Flatpak test sees what the sandbox asks of
# them. Every call is a JSON line in LOG. ProxyResolver says "no proxy" (GIO asks it before
# every connection in a sandbox). NetworkMonitor answers "available, full connectivity" and
# is metered while org.ferry.TestPortal.SetMetered(true) says so; it emits "changed" when that
# changes, as the real portal does for NetworkManager's state. PowerProfileMonitor's
# power-saver-enabled follows SetPowerSaver, as the real one follows power-profiles-daemon.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import sys

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name="org.freedesktop.portal.Background">
    <method name="RequestBackground">
      <arg type="s" name="parent_window" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="o" name="handle" direction="out"/>
    </method>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.freedesktop.portal.Notification">
    <method name="AddNotification">
      <arg type="s" name="id" direction="in"/>
      <arg type="a{sv}" name="notification" direction="in"/>
    </method>
    <method name="RemoveNotification">
      <arg type="s" name="id" direction="in"/>
    </method>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.freedesktop.portal.NetworkMonitor">
    <method name="GetAvailable"><arg type="b" direction="out"/></method>
    <method name="GetMetered"><arg type="b" direction="out"/></method>
    <method name="GetConnectivity"><arg type="u" direction="out"/></method>
    <method name="GetStatus"><arg type="a{sv}" direction="out"/></method>
    <method name="CanReach">
      <arg type="s" name="hostname" direction="in"/>
      <arg type="u" name="port" direction="in"/>
      <arg type="b" direction="out"/>
    </method>
    <signal name="changed"/>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.freedesktop.portal.ProxyResolver">
    <method name="Lookup">
      <arg type="s" name="uri" direction="in"/>
      <arg type="as" name="proxies" direction="out"/>
    </method>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.freedesktop.portal.PowerProfileMonitor">
    <property name="power-saver-enabled" type="b" access="read"/>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.ferry.TestPortal">
    <method name="SetMetered"><arg type="b" name="metered" direction="in"/></method>
    <method name="SetPowerSaver"><arg type="b" name="enabled" direction="in"/></method>
  </interface>
</node>
"""

log = open(sys.argv[1], "a", buffering=1)
metered = False
power_saver = False
requests = 0
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
PATH = "/org/freedesktop/portal/desktop"


def record(method, args):
    log.write(json.dumps({"method": method, "args": args}) + "\n")


def on_call(connection, sender, path, interface, method, params, invocation):
    global metered, power_saver, requests
    args = params.unpack()
    record(method, args)
    if method == "RequestBackground":
        requests += 1
        invocation.return_value(GLib.Variant(
            "(o)", ("%s/request/fake/%d" % (PATH, requests),)))
    elif method in ("AddNotification", "RemoveNotification"):
        invocation.return_value(None)
    elif method == "GetAvailable":
        invocation.return_value(GLib.Variant("(b)", (True,)))
    elif method == "GetMetered":
        invocation.return_value(GLib.Variant("(b)", (metered,)))
    elif method == "GetConnectivity":
        invocation.return_value(GLib.Variant("(u)", (4,)))
    elif method == "GetStatus":
        invocation.return_value(GLib.Variant("(a{sv})", ({
            "available": GLib.Variant("b", True),
            "metered": GLib.Variant("b", metered),
            "connectivity": GLib.Variant("u", 4)},)))
    elif method == "Lookup":
        invocation.return_value(GLib.Variant("(as)", (["direct://"],)))
    elif method == "CanReach":
        invocation.return_value(GLib.Variant("(b)", (True,)))
    elif method == "SetMetered":
        metered = args[0]
        invocation.return_value(None)
        connection.emit_signal(None, PATH, "org.freedesktop.portal.NetworkMonitor", "changed",
                               None)
    elif method == "SetPowerSaver":
        power_saver = args[0]
        invocation.return_value(None)
        connection.emit_signal(None, PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                               GLib.Variant("(sa{sv}as)", (
                                   "org.freedesktop.portal.PowerProfileMonitor",
                                   {"power-saver-enabled": GLib.Variant("b", power_saver)}, [])))


def on_get(connection, sender, path, interface, name):
    if name == "power-saver-enabled":
        return GLib.Variant("b", power_saver)
    return GLib.Variant("u", 3)


node = Gio.DBusNodeInfo.new_for_xml(XML)
for iface in node.interfaces:
    bus.register_object(PATH, iface, on_call, on_get, None)


reply = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                      "RequestName", GLib.Variant("(su)", ("org.freedesktop.portal.Desktop", 4)),
                      None, Gio.DBusCallFlags.NONE, -1, None)
record("ready", reply.unpack())
GLib.MainLoop().run()
