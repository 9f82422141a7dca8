// common.js: what the background script and the popup share.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

// Firefox has `browser`, Chromium `chrome`; both return promises in Manifest V3.
const api = globalThis.browser ?? globalThis.chrome;

const HOST = 'io.github.ferryhq.ferry';

const DEFAULT_SETTINGS = {
  // Hand over every download at least this large (bytes), when `auto` is on.
  auto: false,
  minSize: 10 * 1024 * 1024,
};

// One request to the native host, which talks to ferryd. Rejects with the host's own
// sentence when it says no.
async function askFerry (message) {
  let answer;
  try {
    answer = await api.runtime.sendNativeMessage(HOST, message);
  } catch (e) {
    throw new Error('Ferry is not installed for this browser, or its helper cannot start ' +
                    `(${e.message ?? e})`);
  }
  if (!answer || answer.ok !== true)
    throw new Error(answer?.error ?? 'Ferry gave no answer');
  return answer;
}

async function loadSettings () {
  const stored = await api.storage.local.get('settings');
  return { ...DEFAULT_SETTINGS, ...(stored.settings ?? {}) };
}

async function saveSettings (settings) {
  await api.storage.local.set({ settings });
}

async function loadOffers () {
  const stored = await api.storage.local.get('offers');
  return stored.offers ?? [];
}

async function saveOffers (offers) {
  await api.storage.local.set({ offers });
  await api.action.setBadgeText({ text: offers.length > 0 ? String(offers.length) : '' });
}

function baseName (path) {
  if (!path)
    return '';
  return path.split(/[/\\]/).pop();
}
