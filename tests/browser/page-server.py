#!/usr/bin/python3
# page-server.py: a web site for the browser tests, on 127.0.0.1.
#
#   /           a page that sets a session cookie and links the file with the current token
#   /file?t=T   the file, only with the cookie and a token that has not expired; Range and
#               a strong ETag. The browser's own requests get HOLD bytes and then nothing
#               more, so a browser download left behind stays visible. With hold-ferry,
#               Ferry's requests (they ask for Repr-Digest) for the first token stop after
#               HOLD bytes until it expires, so a test can pause the transfer there
#   /expire     the current token expires and a new one is linked from the page
#   /log        every request for the file: token, cookie, referrer, user agent, Range, status
#
# Usage: page-server.py FILE HOLD [hold-ferry] — prints the port, then serves until killed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import hashlib
import http.server
import json
import os
import sys
import threading
import urllib.parse

COOKIE = 'ferry_test_session=s3cr3t-' + os.urandom(6).hex()
NAME = os.path.basename(sys.argv[1])
DATA = open(sys.argv[1], 'rb').read()
HOLD = int(sys.argv[2])
HOLD_FERRY = len(sys.argv) > 3 and sys.argv[3] == 'hold-ferry'
ETAG = '"' + hashlib.sha256(DATA).hexdigest()[:16] + '"'

lock = threading.Lock()
state = {'token': 1}
expired = threading.Condition(lock)
log = []


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == '/':
            with lock:
                token = state['token']
            page = (f'<!DOCTYPE html><title>Files</title><h1>Files</h1>'
                    f'<p><a id="file" href="/file?t={token}">{NAME}</a></p>').encode()
            self.reply(200, page, [('Content-Type', 'text/html; charset=utf-8'),
                                   ('Set-Cookie', COOKIE + '; Path=/; HttpOnly; SameSite=Lax')])
        elif url.path == '/expire':
            with lock:
                state['token'] += 1
                expired.notify_all()
            self.reply(200, b'expired\n', [('Content-Type', 'text/plain')])
        elif url.path == '/log':
            with lock:
                body = json.dumps({'requests': log, 'cookie': COOKIE, 'etag': ETAG}).encode()
            self.reply(200, body, [('Content-Type', 'application/json')])
        elif url.path == '/file':
            self.serve_file(query.get('t', [''])[0])
        else:
            self.reply(404, b'not here\n', [('Content-Type', 'text/plain')])

    def serve_file(self, token):
        rng = self.headers.get('Range')
        ferry = self.headers.get('Want-Repr-Digest') is not None
        entry = {'from': 'ferry' if ferry else 'browser', 'token': token, 'cookie': self.headers.get('Cookie'),
                 'referer': self.headers.get('Referer'),
                 'user_agent': self.headers.get('User-Agent'), 'range': rng,
                 'method': self.command}
        with lock:
            valid = token == str(state['token'])
            log.append(entry)
        if self.headers.get('Cookie') is None or COOKIE not in self.headers.get('Cookie'):
            entry['status'] = 403
            return self.reply(403, b'Sign in first\n', [('Content-Type', 'text/plain')])
        if not valid:
            # As real sites do: an expired link answers with a page, not the file.
            entry['status'] = 200
            return self.reply(200, b'<p>This link has expired.</p>',
                              [('Content-Type', 'text/html')])

        start = 0
        if rng and rng.startswith('bytes=') and rng.endswith('-') and \
           self.headers.get('If-Range') in (None, ETAG):
            start = int(rng[6:-1])
        headers = [('Content-Type', 'application/octet-stream'), ('ETag', ETAG),
                   ('Accept-Ranges', 'bytes'),
                   ('Content-Disposition', f'attachment; filename="{NAME}"')]
        if start > 0:
            entry['status'] = 206
            headers.append(('Content-Range', f'bytes {start}-{len(DATA) - 1}/{len(DATA)}'))
            self.send_response(206)
        else:
            entry['status'] = 200
            self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(DATA) - start))
        self.end_headers()
        if self.command == 'HEAD':
            return
        body = DATA[start:]
        hold = ferry and token == '1' and HOLD_FERRY
        try:
            if not ferry:
                self.wfile.write(body[:HOLD])
                self.wfile.flush()
                threading.Event().wait()
            if hold:
                # Ferry's download of the first link stops here until the link expires.
                self.wfile.write(body[:max(0, HOLD - start)])
                self.wfile.flush()
                with lock:
                    expired.wait_for(lambda: token != str(state['token']))
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
