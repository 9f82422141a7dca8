// screenshot-menu.mjs: Chromium with Ferry's extension on a real display (Xvfb), the link's
// context menu open, for the README. The menu is drawn by the browser, not the page: only
// a picture of the whole screen shows it.
//
//   xvfb-run -s '-screen 0 900x560x24' node screenshot-menu.mjs SITE OUT.png
//
// Environment: FERRY_NODE_MODULES, FERRY_EXTENSION_DIR, FERRY_PROFILE (as for drive.mjs).
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const [site, out] = process.argv.slice(2);
const env = process.env;
const require = createRequire(env.FERRY_NODE_MODULES + '/');
const puppeteer = (await import(require.resolve('puppeteer-core'))).default;

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: false,
  pipe: true,
  userDataDir: env.FERRY_PROFILE,
  enableExtensions: [env.FERRY_EXTENSION_DIR],
  defaultViewport: null,
  // No "controlled by automated test software" bar across the picture.
  ignoreDefaultArgs: ['--enable-automation'],
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--window-position=0,0', '--window-size=900,560', '--hide-crash-restore-bubble'],
});
await browser.waitForTarget((t) => t.type() === 'service_worker');
const page = await browser.newPage();
for (const other of await browser.pages())
  if (other !== page)
    await other.close();
await page.goto(site + '/');
await page.bringToFront();
const link = await page.$('#file');
const box = await link.boundingBox();
await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
await page.mouse.down({ button: 'right' });
await page.mouse.up({ button: 'right' });
// The menu is a window of its own, drawn outside the page: nothing in the page says when it
// is on screen. This is a picture for the README, not a test: a moment is enough.
await new Promise((resolve) => setTimeout(resolve, 1500));
execFileSync('import', ['-window', 'root', out]);
await browser.close();
