// background.js: the context menu, and downloads the browser starts.
//
// A download the browser started is paused while Ferry is asked; it is canceled and erased
// only after Ferry said it holds the transfer, and resumed when Ferry says no or cannot be
// reached: never both, never neither.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

if (typeof importScripts === 'function')
  importScripts('common.js'); // Chromium's service worker; Firefox loads it from the page

const MENU_ID = 'ferry-download';

function createMenu () {
  api.contextMenus.removeAll(() => {
    api.contextMenus.create({
      id: MENU_ID,
      title: api.i18n.getMessage('menuTitle') || 'Download with Ferry',
      contexts: ['link', 'image', 'video', 'audio'],
    });
  });
}

api.runtime.onInstalled.addListener(({ reason }) => {
  createMenu();
  // The first time: the choices, and whether Ferry answers, on a page of their own.
  if (reason === 'install')
    api.tabs.create({ url: 'popup.html?welcome' });
});
api.runtime.onStartup?.addListener(createMenu);

// The request headers the browser would send for @url: its cookies, the page it came from
// and its user agent.
async function requestFor (url, referrer, filename, storeId) {
  const query = { url };
  if (storeId)
    query.storeId = storeId;
  let cookies = [];
  try {
    cookies = await api.cookies.getAll(query);
  } catch (e) {
    // Without the host permission the link still goes, without cookies.
    console.warn(`Ferry: no cookies for this link (${e.message ?? e})`);
  }
  return {
    type: 'add',
    url,
    referrer: /^https?:/.test(referrer ?? '') ? referrer : undefined,
    user_agent: navigator.userAgent,
    cookies: cookies.map((c) => `${c.name}=${c.value}`).join('; ') || undefined,
    filename: filename || undefined,
  };
}

async function notify (message) {
  await api.action.setTitle({ title: `Ferry: ${message}` });
}

api.contextMenus.onClicked.addListener(async (info, tab) => {
  if (info.menuItemId !== MENU_ID)
    return;
  const url = info.linkUrl ?? info.srcUrl;
  try {
    await askFerry(await requestFor(url, info.pageUrl ?? tab?.url, undefined,
                                    tab?.cookieStoreId));
    await notify(`${baseName(new URL(url).pathname) || url} is downloading in Ferry`);
  } catch (e) {
    await notify(e.message);
  }
});

// A download's file name as the browser decided it. Chromium may not have decided yet when
// the download appears.
async function fileNameOf (item) {
  if (item.filename)
    return baseName(item.filename);
  return new Promise((resolve) => {
    const done = (name) => {
      api.downloads.onChanged.removeListener(changed);
      clearTimeout(timer);
      resolve(name);
    };
    const changed = (delta) => {
      if (delta.id === item.id && delta.filename?.current)
        done(baseName(delta.filename.current));
    };
    const timer = setTimeout(() => done(''), 10000);
    api.downloads.onChanged.addListener(changed);
    api.downloads.search({ id: item.id }).then(([now]) => {
      if (now?.filename)
        done(baseName(now.filename));
    });
  });
}

async function dropBrowserDownload (id) {
  await api.downloads.cancel(id).catch(() => {});
  const [now] = await api.downloads.search({ id });
  // It finished in the meantime: the browser has the whole file, and keeps it.
  if (now?.state === 'complete')
    return false;
  await api.downloads.erase({ id }).catch(() => {});
  return true;
}

// Firefox alone has getBrowserInfo.
const FIREFOX = typeof api.runtime.getBrowserInfo === 'function';

// Holds the browser's download while Ferry is asked. Chromium pauses any running download
// (its canResume is false until then); Firefox can only pause what it knows to be resumable
// (pausing anything else ends it for good), so others run on meanwhile.
async function holdDownload (item) {
  if (FIREFOX && !item.canResume)
    return false;
  try {
    await api.downloads.pause(item.id);
    return true;
  } catch (e) {
    return false;
  }
}

// The size the server announced. Firefox learns it only once bytes flow, which may take a
// while on a busy machine; without a size after the first bytes, the server gave none.
async function sizeOf (item) {
  const known = (d) => (d.totalBytes > 0 ? d.totalBytes : (d.fileSize > 0 ? d.fileSize : 0));
  for (let flowing = 0; flowing < 50;) {
    const [now] = await api.downloads.search({ id: item.id });
    if (!now || now.state !== 'in_progress' || known(now) > 0)
      return now ? known(now) : 0;
    if (now.bytesReceived > 0)
      flowing++;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return 0;
}

// Only after Ferry accepted does the browser's download go, leaving no entry behind. If the
// browser finished first, it keeps its file and Ferry's new transfer is canceled instead.
async function handOver (item, filename, storeId) {
  const request = await requestFor(item.url, item.referrer, filename, storeId);
  const { transfer } = await askFerry(request);
  if (!(await dropBrowserDownload(item.id)))
    await askFerry({ type: 'cancel', transfer: transfer.id }).catch(() => {});
}

async function onDownload (item) {
  if (!/^https?:/.test(item.url) || item.byExtensionId === api.runtime.id)
    return;
  if (item.state !== 'in_progress')
    return;

  const settings = await loadSettings();
  const held = await holdDownload(item);

  try {
    const [size, filename] = await Promise.all([sizeOf(item), fileNameOf(item)]);
    // A transfer Ferry holds with an expired link: the person chooses in the popup.
    if (filename && size > 0) {
      const { match } = await askFerry({ type: 'find', filename, size });
      if (match) {
        const offers = (await loadOffers()).filter((o) => o.transfer !== match.id);
        offers.push({ download: item.id, held, url: item.url, transfer: match.id,
                      name: filename, size, done: match.bytes_done,
                      referrer: item.referrer, storeId: item.cookieStoreId });
        await saveOffers(offers);
        await notify(`Ferry holds ${filename} already: open this menu to continue it`);
        api.action.openPopup?.().catch(() => {});
        return;
      }
    }
    if (settings.auto && size > 0 && size >= settings.minSize) {
      await handOver(item, filename, item.cookieStoreId);
      await notify(`${filename || item.url} is downloading in Ferry`);
      return;
    }
  } catch (e) {
    await notify(e.message);
  }
  // Without Ferry's word the download carries on as it was.
  if (held)
    await api.downloads.resume(item.id).catch(() => {});
}

// An offer ends when the browser finished the download itself.
api.downloads.onChanged.addListener(async (delta) => {
  if (delta.state?.current !== 'complete' && delta.state?.current !== 'interrupted')
    return;
  const offers = await loadOffers();
  if (offers.some((o) => o.download === delta.id))
    await saveOffers(offers.filter((o) => o.download !== delta.id));
});

api.downloads.onCreated.addListener((item) => {
  onDownload(item).catch((e) => console.error('Ferry:', e));
});

// From the popup: the person chose what to do with an offer.
api.runtime.onMessage.addListener((message, sender, respond) => {
  if (sender.id !== api.runtime.id)
    return false;
  (async () => {
    const offers = await loadOffers();
    const offer = offers.find((o) => o.download === message.download);
    if (!offer)
      throw new Error('This download is no longer waiting for a choice');
    if (message.type === 'continue') {
      // Ferry swaps the link and keeps its bytes; the browser's copy goes only then.
      const [now] = await api.downloads.search({ id: offer.download });
      if (now?.state === 'complete')
        throw new Error('The browser has finished this download itself');
      // The fresh link comes with the cookies the browser holds for it now: an expired
      // session's cookie would only be refused again.
      const fresh = await requestFor(offer.url, offer.referrer, undefined, offer.storeId);
      await askFerry({ ...fresh, type: 'continue', transfer: offer.transfer,
                       filename: undefined });
      await dropBrowserDownload(offer.download);
    } else if (message.type === 'keep') {
      if (offer.held)
        await api.downloads.resume(offer.download);
    } else {
      throw new Error(`Unknown request ${message.type}`);
    }
    await saveOffers(offers.filter((o) => o !== offer));
  })().then(() => respond({ ok: true }), (e) => respond({ ok: false, error: e.message }));
  return true;
});
