#!/usr/bin/python3
"""A DBusActivatable app that hands its downloads and uploads to Ferry through libferry.

    example.py [--paused] download ID URI | upload ID URI FILE ...
        hand the transfers over (or reconnect to them), then quit
    (started by ferryd with --gapplication-service)
        re-issue the calls, get their outcomes, print them, exit

What the app asked for is kept in $FERRY_EXAMPLE_STATE (a key file); every launch issues
those calls again, which is always safe: Ferry reconnects to a transfer in flight by its
identifier. The call made by the process running when a transfer ends gets its outcome,
once. Outcomes are printed and appended to $FERRY_EXAMPLE_LOG.

Run with GI_TYPELIB_PATH and LD_LIBRARY_PATH naming libferry's build directory when it is
not installed.
"""
import os
import sys

import gi
gi.require_version("Ferry", "1")
gi.require_version("Gio", "2.0")
from gi.repository import Ferry, Gio, GLib  # noqa: E402

APP_ID = "org.example.FerryLibPy"


def state_path():
    return os.environ.get("FERRY_EXAMPLE_STATE") or os.path.join(
        GLib.get_user_state_dir(), APP_ID + ".state")


class Example(Gio.Application):
    def __init__(self):
        super().__init__(application_id=APP_ID,
                         flags=Gio.ApplicationFlags.HANDLES_COMMAND_LINE)
        self.session = None
        self.state = GLib.KeyFile()
        self.handing_over = set()

    def do_startup(self):
        Gio.Application.do_startup(self)
        self.session = Ferry.Session.new(APP_ID)
        # Installs transfers-finished: a relaunch by ferryd delivers the outcomes of the
        # calls issued below.
        self.session.bind_application(self)
        self.session.get_transfers().connect("items-changed", self.on_items_changed)
        try:
            self.state.load_from_file(state_path(), GLib.KeyFileFlags.NONE)
        except GLib.Error:
            pass
        for identifier in self.state.get_groups()[0]:
            self.issue(identifier, paused=False)

    def issue(self, identifier, paused):
        kind = self.state.get_string(identifier, "kind")
        uri = self.state.get_string(identifier, "uri")
        request = Ferry.Request.new()
        request.set_paused(paused)
        if kind == "download":
            folder = os.environ.get("FERRY_EXAMPLE_DOWNLOADS")
            if folder:
                request.set_destination(Gio.File.new_for_path(folder))
            self.session.download_async(uri, identifier, request, None, self.on_outcome,
                                        identifier)
        else:
            request.set_method("PUT")
            source = Gio.File.new_for_path(self.state.get_string(identifier, "file"))
            self.session.upload_async(uri, source, identifier, request, None,
                                      self.on_outcome, identifier)

    def on_outcome(self, session, result, identifier):
        finish = (session.download_finish
                  if self.state.get_string(identifier, "kind") == "download"
                  else session.upload_finish)
        outcome = finish(result)
        kind = outcome.get_kind().value_nick.upper()
        detail = ""
        if outcome.get_kind() == Ferry.OutcomeKind.SUCCESS and outcome.get_file():
            detail = outcome.get_file().get_path()
        elif outcome.get_kind() == Ferry.OutcomeKind.FAILED:
            detail = outcome.get_error().message
        elif outcome.get_message():
            detail = outcome.get_message()
        line = (f"{identifier} {kind} {outcome.get_http_status()} pid={os.getpid()} "
                f"{detail}\n")
        print(line, end="", flush=True)
        log = os.environ.get("FERRY_EXAMPLE_LOG")
        if log:
            with open(log, "a") as f:
                f.write(line)
        # Delivered: this app no longer asks for it.
        self.state.remove_group(identifier)
        self.state.save_to_file(state_path())

    def on_items_changed(self, model, position, removed, added):
        if not self.handing_over:
            return
        for identifier in list(self.handing_over):
            transfer = self.session.lookup(identifier)
            if transfer is not None:
                print(f"{identifier} handed over pid={os.getpid()} "
                      f"{transfer.get_object_path()}", flush=True)
                self.handing_over.discard(identifier)
        if not self.handing_over:
            self.release()

    def do_command_line(self, command_line):
        args = command_line.get_arguments()[1:]
        paused = bool(args) and args[0] == "--paused"
        if paused:
            args = args[1:]
        added = []
        while args:
            kind, identifier, uri = args[0], args[1], args[2]
            self.state.set_string(identifier, "kind", kind)
            self.state.set_string(identifier, "uri", uri)
            if kind == "upload":
                self.state.set_string(identifier, "file", os.path.abspath(args[3]))
                args = args[4:]
            else:
                args = args[3:]
            added.append(identifier)
        self.state.save_to_file(state_path())
        if added:
            # Quit once Ferry has the transfers; their outcomes come to a later launch.
            self.handing_over.update(added)
            self.hold()
            for identifier in added:
                self.issue(identifier, paused)
        return 0


if __name__ == "__main__":
    sys.exit(Example().run(sys.argv))
