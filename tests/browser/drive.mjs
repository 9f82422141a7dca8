// drive.mjs: a person's steps in a real browser with Ferry's extension, for test-browser.
//
//   node drive.mjs chromium|firefox
//
// Environment: FERRY_NODE_MODULES (puppeteer-core), FERRY_EXTENSION_DIR, FERRY_PROFILE (a new
// profile folder, its native messaging host manifest already in place), FERRY_SITE (the page
// server's address), FERRY_HOLD (bytes the server sends before it stops), FERRY_BROWSER_DOWNLOADS
// (the browser's own download folder), FERRY_STEPS ("handover", "handover,expired", or "menu":
// the link's context menu, which only a browser on a display (Xvfb) has, chosen with xdotool).
//
// With FERRY_SCREENSHOTS set to a folder, the popup is saved there as PNGs on the way.
//
// Prints one JSON line at the end: what the browser's download list held, or {"skip": why}.
// Every wait is for a state the page shows, never for a time.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const kind = process.argv[2];
const env = process.env;
const steps = env.FERRY_STEPS ?? '';
const WAIT = { timeout: 90000 };
const CHROMIUM_ID = 'jeegplecchiiklpkmdpnpffeencojgfm';

function finish (result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

function step (text) {
  process.stderr.write(`drive.mjs: ${text}\n`);
}

let puppeteer;
try {
  const require = createRequire(env.FERRY_NODE_MODULES + '/');
  puppeteer = (await import(require.resolve('puppeteer-core'))).default;
} catch (e) {
  finish({ skip: `puppeteer-core is not installed in ${env.FERRY_NODE_MODULES} ` +
                 '(build-aux/dev test installs it from npm)' });
  process.exit(0);
}

async function launch () {
  if (kind === 'chromium') {
    const browser = await puppeteer.launch({
      executablePath: env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
      // The "new" headless mode, which loads extensions; a window for the context menu.
      headless: !steps.includes('menu'),
      pipe: true,
      userDataDir: env.FERRY_PROFILE,
      enableExtensions: [env.FERRY_EXTENSION_DIR],
      downloadBehavior: { policy: 'allow', downloadPath: env.FERRY_BROWSER_DOWNLOADS },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const worker = await browser.waitForTarget((t) => t.type() === 'service_worker' &&
                                               t.url().startsWith(`chrome-extension://${CHROMIUM_ID}/`),
                                               WAIT);
    step(`extension loaded: ${worker.url()}`);
    return { browser, base: `chrome-extension://${CHROMIUM_ID}/` };
  }

  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: env.FERRY_FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: env.FERRY_PROFILE,
    extraPrefsFirefox: {
      'browser.download.dir': env.FERRY_BROWSER_DOWNLOADS,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      // Nothing that could hold a download back in a headless browser without the network:
      // the downloads panel, and the remote reputation check.
      'browser.download.alwaysOpenPanel': false,
      'browser.safebrowsing.downloads.enabled': false,
      'browser.safebrowsing.downloads.remote.enabled': false,
    },
  });
  const id = await browser.installExtension(env.FERRY_EXTENSION_DIR);
  step(`extension installed temporarily: ${id}`);
  return { browser, base: 'moz-extension://' };
}

// The popup's rows carry the transfer's state and bytes as data attributes.
async function waitRow (popup, test, ...args) {
  return popup.waitForFunction(test, { ...WAIT, polling: 200 }, ...args);
}

let popup;

// The browser draws its context menu as a window of its own, outside the page: it is open
// when the display has one more top-level window. Ferry's item is the last but one (above
// Inspect), so Up, Up, Return chooses it.
async function chooseFromMenu (page, selector) {
  const windows = () => execFileSync('xwininfo', ['-root', '-children']).toString()
    .split('\n').filter((line) => /^\s+0x/.test(line)).length;
  const before = windows();
  const box = await (await page.$(selector)).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
  for (const end = Date.now() + WAIT.timeout; windows() <= before;) {
    if (Date.now() > end)
      throw new Error('The context menu did not open');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  execFileSync('xdotool', ['key', 'Up', 'Up', 'Return']);
}

async function screenshot (name) {
  if (!env.FERRY_SCREENSHOTS)
    return;
  // The popup's own size, as the browser shows it under its button.
  await popup.setViewport({ width: 404, height: 300 });
  await popup.evaluate(() => {
    document.body.classList.remove('welcome');
    document.getElementById('welcome').hidden = true;
  });
  const body = await popup.$('body');
  await body.screenshot({ path: `${env.FERRY_SCREENSHOTS}/${name}.png` });
}

// The page the extension opens when it is installed: its popup, in a tab. WebDriver BiDi may
// not navigate to extension pages, and its idea of a tab's address can lag, so each tab is
// asked where it is.
async function welcomePage (browser, base) {
  for (const end = Date.now() + WAIT.timeout; Date.now() < end;) {
    for (const page of await browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(base) && href.endsWith('/popup.html?welcome'))
        return page;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('The extension did not open its page when it was installed');
}

async function run () {
  const { browser, base } = await launch();
  try {
    popup = await welcomePage(browser, base);
    await popup.bringToFront();
    // The setting a person changes: hand over every download of at least 0 MB.
    await popup.waitForSelector('#auto', WAIT);
    await popup.$eval('#min-size', (input) => {
      input.value = '0';
      input.dispatchEvent(new Event('change'));
    });
    await popup.click('#auto');
    await popup.waitForFunction(async () => (await loadSettings()).auto &&
                                (await loadSettings()).minSize === 0, WAIT);
    step('automatic hand-over is on');

    const page = await browser.newPage();
    await page.goto(env.FERRY_SITE + '/');
    if (steps.includes('menu')) {
      await page.bringToFront();
      await chooseFromMenu(page, '#file');
      step('chose Download with Ferry from the link\'s menu');
    } else {
      await page.click('#file');
      step('clicked the link');
    }

    if (steps.includes('refused')) {
      // Ferry cannot be reached: once the extension says so, the browser's own download
      // must still be going, not paused and not canceled.
      await popup.waitForFunction(async () =>
        (await api.action.getTitle({})).includes('not installed'), { ...WAIT, polling: 200 });
      await popup.waitForFunction(async () => (await api.downloads.search({}))
        .every((d) => d.state === 'in_progress' && !d.paused), { ...WAIT, polling: 200 });
      step(`the extension said: ${await popup.evaluate(() => api.action.getTitle({}))}`);
      const downloads = await popup.evaluate(async () =>
        (await api.downloads.search({})).map((d) => ({ url: d.url, state: d.state,
                                                        paused: d.paused })));
      const log = await (await fetch(env.FERRY_SITE + '/log')).json();
      finish({ downloads, offers: 0, log });
      return;
    }

    // A tab in the background gets no animation frames: each step's tab comes to the front.
    await popup.bringToFront();
    const hold = Number(env.FERRY_HOLD);
    await waitRow(popup, (min) => [...document.querySelectorAll('#transfers li')]
      .some((li) => Number(li.dataset.bytesDone) >= min), hold > 0 ? hold : 1);
    step('Ferry is downloading');
    await screenshot('popup');

    if (steps.includes('expired')) {
      await popup.waitForSelector('#transfers li[data-state="running"] button.control', WAIT);
      await popup.click('#transfers li[data-state="running"] button.control');
      await popup.waitForSelector('#transfers li[data-state="paused"]', WAIT);
      step('paused in the popup');

      await fetch(env.FERRY_SITE + '/expire');
      if (steps.includes('met-expired')) {
        // Resumed on the old link, Ferry meets the expiry page and stops there.
        await popup.click('#transfers li[data-state="paused"] button.control');
        const seen = await waitRow(popup, () => [...document.querySelectorAll('#transfers li')]
          .map((li) => li.dataset.state)
          .find((state) => ['failed', 'rejected', 'waiting'].includes(state)));
        step(`the old link left the transfer ${await seen.jsonValue()}`);
      }
      // The page again, in a new tab, with its fresh link.
      const again = await browser.newPage();
      await again.goto(env.FERRY_SITE + '/');
      await again.click('#file');
      step('clicked the fresh link');

      await popup.bringToFront();
      const offer = await popup.waitForSelector('#offer-list li button.suggested', WAIT);
      const text = await popup.$eval('#offer-list li', (li) => li.textContent);
      step(`offered: ${text}`);
      await screenshot('popup-continue');
      await offer.click();
    }

    await popup.bringToFront();
    await popup.waitForSelector('#transfers li[data-state="completed"]', WAIT);
    step('Ferry says completed');
    // The extension erases the browser's own entry once Ferry has the download; on a slow
    // machine (a sanitized ferryd) that may come after Ferry's row says completed.
    await popup.waitForFunction(async () => (await api.downloads.search({})).length === 0,
                                { ...WAIT, polling: 200 });
    const downloads = await popup.evaluate(async () =>
      (await api.downloads.search({})).map((d) => ({ url: d.url, state: d.state })));
    const offers = await popup.evaluate(async () => (await loadOffers()).length);
    const log = await (await fetch(env.FERRY_SITE + '/log')).json();
    finish({ downloads, offers, log });
  } catch (e) {
    const seen = await popup?.evaluate(() => document.body.innerText).catch(() => null);
    step(`the popup showed: ${seen}`);
    const said = await popup?.evaluate(async () => ({
      title: await api.action.getTitle({}),
      downloads: await api.downloads.search({}),
    })).catch((e) => e.message);
    step(`the extension said: ${JSON.stringify(said)}`);
    const log = await fetch(env.FERRY_SITE + '/log').then((r) => r.text()).catch(() => null);
    step(`the site saw: ${log}`);
    throw e;
  } finally {
    await browser.close();
  }
}

try {
  await run();
} catch (e) {
  step(`failed: ${e.stack ?? e}`);
  finish({ error: String(e.message ?? e) });
  process.exit(1);
}
