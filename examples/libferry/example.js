#!/usr/bin/gjs
// example.js: a DBusActivatable app that hands its downloads and uploads to Ferry
//
//   gjs example.js [--paused] download ID URI | upload ID URI FILE ...
//       hand the transfers over (or reconnect to them), then quit
//   (started by ferryd with --gapplication-service)
//       re-issue the calls, get their outcomes, print them, exit
//
// What the app asked for is kept in $FERRY_EXAMPLE_STATE (a key file); every launch issues
// those calls again, which is always safe: Ferry reconnects to a transfer in flight by its
// identifier. Outcomes are printed and appended to $FERRY_EXAMPLE_LOG.
//
// SPDX-License-Identifier: GPL-3.0-or-later

imports.gi.versions.Ferry = '1';
imports.gi.versions.Gio = '2.0';
const { Ferry, Gio, GLib } = imports.gi;
const System = imports.system;

const APP_ID = 'org.example.FerryLibJs';
const pid = new Gio.Credentials().get_unix_pid();

function statePath() {
    return GLib.getenv('FERRY_EXAMPLE_STATE') ||
        GLib.build_filenamev([GLib.get_user_state_dir(), `${APP_ID}.state`]);
}

const app = new Gio.Application({
    application_id: APP_ID,
    flags: Gio.ApplicationFlags.HANDLES_COMMAND_LINE,
});
const state = new GLib.KeyFile();
const handingOver = new Set();
let session = null;

function saveState() {
    state.save_to_file(statePath());
}

function onOutcome(source, result, identifier) {
    const kind = state.get_string(identifier, 'kind');
    const outcome = kind === 'download'
        ? source.download_finish(result) : source.upload_finish(result);
    let detail = '';
    if (outcome.get_kind() === Ferry.OutcomeKind.SUCCESS && outcome.get_file())
        detail = outcome.get_file().get_path();
    else if (outcome.get_kind() === Ferry.OutcomeKind.FAILED)
        detail = outcome.get_error().message;
    else if (outcome.get_message())
        detail = outcome.get_message();
    const name = ['SUCCESS', 'REJECTED', 'RETRY', 'FAILED'][outcome.get_kind()];
    const line = `${identifier} ${name} ${outcome.get_http_status()} pid=${pid} ${detail}\n`;
    print(line.trimEnd());
    const log = GLib.getenv('FERRY_EXAMPLE_LOG');
    if (log) {
        const stream = Gio.File.new_for_path(log).append_to(Gio.FileCreateFlags.NONE, null);
        stream.write_all(new TextEncoder().encode(line), null);
        stream.close(null);
    }
    // Delivered: this app no longer asks for it.
    state.remove_group(identifier);
    saveState();
}

function issue(identifier, paused) {
    const kind = state.get_string(identifier, 'kind');
    const uri = state.get_string(identifier, 'uri');
    const request = Ferry.Request.new();
    request.set_paused(paused);
    if (kind === 'download') {
        const folder = GLib.getenv('FERRY_EXAMPLE_DOWNLOADS');
        if (folder)
            request.set_destination(Gio.File.new_for_path(folder));
        session.download_async(uri, identifier, request, null,
            (s, res) => onOutcome(s, res, identifier));
    } else {
        request.set_method('PUT');
        const file = Gio.File.new_for_path(state.get_string(identifier, 'file'));
        session.upload_async(uri, file, identifier, request, null,
            (s, res) => onOutcome(s, res, identifier));
    }
}

app.connect('startup', () => {
    session = Ferry.Session.new(APP_ID);
    // Installs transfers-finished: a relaunch by ferryd delivers the outcomes of the calls
    // issued below.
    session.bind_application(app);
    session.get_transfers().connect('items-changed', () => {
        if (handingOver.size === 0)
            return;
        for (const identifier of [...handingOver]) {
            const transfer = session.lookup(identifier);
            if (transfer) {
                print(`${identifier} handed over pid=${pid} ${transfer.get_object_path()}`);
                handingOver.delete(identifier);
            }
        }
        if (handingOver.size === 0)
            app.release();
    });
    try {
        state.load_from_file(statePath(), GLib.KeyFileFlags.NONE);
    } catch (e) {
        // Nothing asked for yet.
    }
    const [groups] = state.get_groups();
    for (const identifier of groups)
        issue(identifier, false);
});

app.connect('command-line', (application, commandLine) => {
    let args = commandLine.get_arguments().slice(1);
    const paused = args[0] === '--paused';
    if (paused)
        args = args.slice(1);
    const added = [];
    while (args.length >= 3) {
        const [kind, identifier, uri] = args;
        state.set_string(identifier, 'kind', kind);
        state.set_string(identifier, 'uri', uri);
        if (kind === 'upload') {
            state.set_string(identifier, 'file',
                commandLine.create_file_for_arg(args[3]).get_path());
            args = args.slice(4);
        } else {
            args = args.slice(3);
        }
        added.push(identifier);
    }
    saveState();
    if (added.length > 0) {
        // Quit once Ferry has the transfers; their outcomes come to a later launch.
        app.hold();
        for (const identifier of added) {
            handingOver.add(identifier);
            issue(identifier, paused);
        }
    }
    return 0;
});

System.exit(app.run([System.programInvocationName, ...ARGV]));
