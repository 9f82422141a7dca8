// A tus 1.0 server for the tests: @tus/server with @tus/file-store, on 127.0.0.1.
//
// usage: node server.mjs STORE_DIR
// Prints "port N" once it listens, then a line per finished or terminated upload:
// "finished ID" / "terminated ID". Works with @tus/server 1.x (node 18) and 2.x (node ≥ 20.19).
//
// SPDX-License-Identifier: GPL-3.0-or-later
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(process.env.FERRY_TUS_MODULES + '/');
const { Server, EVENTS } = await import(require.resolve('@tus/server'));
const { FileStore } = await import(require.resolve('@tus/file-store'));

const dir = process.argv[2];
const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: dir }),
});

tus.on(EVENTS.POST_FINISH, (req, res, upload) => console.log(`finished ${upload.id}`));
tus.on(EVENTS.POST_TERMINATE, (req, res, id) => console.log(`terminated ${id}`));

const server = http.createServer((req, res) => tus.handle(req, res));
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
