#!/usr/bin/python3
"""A DBusActivatable app that hands its downloads to Ferry, the way docs/dbus-api.md says.

    ferry-example.py URL...        add (or reconnect to) downloads, then quit
    (activated by ferryd)          handle transfers-finished: read the outcomes, remove them

Every launch re-adds its work by identifier: Ferry returns the transfer already in flight,
so "start everything again" is always safe. When the downloads end — even with this app not
running — ferryd activates it with ActivateAction("transfers-finished", [identifiers]).

Each activation is appended as one JSON line to $FERRY_EXAMPLE_LOG (default:
$XDG_STATE_HOME/ferry-example.log).

For ferryd to start it, install org.example.FerryClient.service (beside this file) as a D-Bus
service; its Exec= runs this script with --gapplication-service, without which the
transfers-finished call that started it is lost.
"""
import hashlib
import json
import os
import sys

import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

APP_ID = "org.example.FerryClient"
DAEMON = "io.github.ferryhq.Ferry.Daemon"
MANAGER_PATH = "/io/github/ferryhq/Ferry/Daemon"
MANAGER = "io.github.ferryhq.Ferry.Manager1"
TRANSFER = "io.github.ferryhq.Ferry.Transfer1"


def log_path():
    return os.environ.get("FERRY_EXAMPLE_LOG") or os.path.join(
        GLib.get_user_state_dir(), "ferry-example.log")


class Example(Gio.Application):
    def __init__(self):
        super().__init__(application_id=APP_ID,
                         flags=Gio.ApplicationFlags.HANDLES_COMMAND_LINE)
        finished = Gio.SimpleAction.new("transfers-finished", GLib.VariantType("as"))
        finished.connect("activate", self.on_transfers_finished)
        self.add_action(finished)

    def call(self, path, interface, method, args, reply_type=None):
        return self.get_dbus_connection().call_sync(
            DAEMON, path, interface, method, args,
            GLib.VariantType(reply_type) if reply_type else None,
            Gio.DBusCallFlags.NONE, -1, None)

    def do_command_line(self, command_line):
        # Re-add everything on every launch: an existing (session, identifier) is returned.
        for uri in command_line.get_arguments()[1:]:
            identifier = hashlib.sha256(uri.encode()).hexdigest()[:16]
            options = {"session": GLib.Variant("s", APP_ID),
                       "identifier": GLib.Variant("s", identifier),
                       "notify": GLib.Variant("b", True)}
            reply = self.call(MANAGER_PATH, MANAGER, "AddDownload",
                              GLib.Variant("(sa{sv})", (uri, options)), "(o)")
            print(identifier, reply.unpack()[0])
        return 0

    def on_transfers_finished(self, action, parameter):
        self.hold()
        wanted = set(parameter.unpack())
        outcomes = []
        paths = self.call(MANAGER_PATH, MANAGER, "ListTransfers",
                          GLib.Variant("(s)", (APP_ID,)), "(ao)").unpack()[0]
        for path in paths:
            props = self.call(path, "org.freedesktop.DBus.Properties", "GetAll",
                              GLib.Variant("(s)", (TRANSFER,)), "(a{sv})").unpack()[0]
            if props["Identifier"] not in wanted:
                continue
            outcomes.append({key: props[key] for key in
                             ("Identifier", "State", "Destination", "HttpStatus", "Error")})
            # Handled: the service may forget it.
            if props["State"] in ("completed", "rejected", "failed", "canceled"):
                self.call(path, TRANSFER, "Remove", GLib.Variant("(b)", (False,)))
        with open(log_path(), "a") as f:
            f.write(json.dumps({"identifiers": sorted(wanted), "outcomes": outcomes}) + "\n")
        self.release()


if __name__ == "__main__":
    sys.exit(Example().run(sys.argv))
