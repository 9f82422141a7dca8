// A tus 1.0 server for the tests: @tus/server with @tus/file-store, on 127.0.0.1.
//
// usage: node server.mjs STORE_DIR [checksum|checksum-damage-first|checksum-sha1]
// Prints "port N" once it listens, then a line per finished or terminated upload:
// "finished ID" / "terminated ID". Works with @tus/server 1.x (node 18) and 2.x (node ≥ 20.19).
//
// @tus/server has no checksum extension. With "checksum", a front server adds it as the
// protocol words it: OPTIONS announces Tus-Checksum-Algorithm sha1,sha256; a PATCH carrying
// Upload-Checksum is read whole and checked before @tus/server sees it ("checked ALGO" when it
// matches; 460 Checksum Mismatch and "mismatch" when not; "unchecked" for a PATCH without
// one). "checksum-sha1" offers sha1 only. "checksum-damage-first" also flips one byte of the
// first PATCH body on its way in, as
// a bad link would.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { createHash } from 'node:crypto';
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

const mode = process.argv[3] ?? '';
const backend = http.createServer((req, res) => tus.handle(req, res));

if (!mode.startsWith('checksum')) {
  backend.listen(0, '127.0.0.1', () => console.log(`port ${backend.address().port}`));
} else {
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  let damage = mode === 'checksum-damage-first';

  const forward = (req, res, body) => {
    const headers = { ...req.headers };
    delete headers['upload-checksum'];
    if (body !== null)
      headers['content-length'] = String(body.length);
    const out = http.request({ host: '127.0.0.1', port: backend.address().port,
                               method: req.method, path: req.url, headers }, (answer) => {
      const replyHeaders = { ...answer.headers };
      if (req.method === 'OPTIONS') {
        replyHeaders['tus-extension'] = [replyHeaders['tus-extension'], 'checksum']
          .filter(Boolean).join(',');
        replyHeaders['tus-checksum-algorithm'] = mode === 'checksum-sha1' ? 'sha1' : 'sha1,sha256';
      }
      res.writeHead(answer.statusCode, replyHeaders);
      answer.pipe(res);
    });
    if (body !== null)
      out.end(body);
    else
      req.pipe(out);
  };

  const front = http.createServer((req, res) => {
    const claimed = req.headers['upload-checksum'];
    if (req.method !== 'PATCH') {
      forward(req, res, null);
      return;
    }
    if (claimed === undefined) {
      console.log('unchecked');
      forward(req, res, null);
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (damage && body.length > 0) {
        body[body.length >> 1] ^= 0xff;
        damage = false;
      }
      const [algorithm, digest] = claimed.split(' ');
      if (!['sha1', 'sha256'].includes(algorithm)) {
        res.writeHead(400, { 'content-length': '0' }).end();
        return;
      }
      if (createHash(algorithm).update(body).digest('base64') !== digest) {
        console.log('mismatch');
        res.writeHead(460, 'Checksum Mismatch', { 'content-length': '0', 'tus-resumable': '1.0.0' })
          .end();
        return;
      }
      console.log(`checked ${algorithm}`);
      forward(req, res, body);
    });
  });
  front.listen(0, '127.0.0.1', () => console.log(`port ${front.address().port}`));
}
