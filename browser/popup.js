// popup.js: the transfers this browser handed over, with their progress, and the offers to
// continue a transfer from a fresh link.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const MB = 1000 * 1000;

function formatBytes (n) {
  if (n < 1000)
    return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let i = -1;
  do {
    n /= 1000;
    i++;
  } while (n >= 1000 && i < units.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function describe (t) {
  const done = formatBytes(t.bytes_done);
  const size = t.bytes_total > 0 ? ` of ${formatBytes(t.bytes_total)}` : '';
  switch (t.state) {
  case 'running':
    return `${done}${size}${t.rate > 0 ? ` — ${formatBytes(t.rate)}/s` : ''}`;
  case 'waiting':
    return `Waiting (${t.wait_reasons.join(', ') || 'queued'}) — ${done}${size}`;
  case 'paused':
    return `Paused — ${done}${size}`;
  case 'completed':
    return `Done — ${formatBytes(t.bytes_done)}`;
  default:
    return `${t.state[0].toUpperCase()}${t.state.slice(1)} — ${done}${size}`;
  }
}

function setStatus (text) {
  document.getElementById('status').textContent = text;
}

async function act (type, transfer) {
  try {
    await askFerry({ type, transfer });
    await refresh();
  } catch (e) {
    setStatus(e.message);
  }
}

function button (label, onclick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className)
    b.className = className;
  b.addEventListener('click', onclick);
  return b;
}

// Rows are kept and updated in place, so a button does not vanish under the pointer when
// the numbers change.
function updateRow (li, t) {
  li.dataset.transfer = t.id;
  li.dataset.state = t.state;
  li.dataset.bytesDone = t.bytes_done;
  if (!li.firstChild) {
    const row = document.createElement('div');
    row.className = 'row';
    const name = document.createElement('span');
    name.className = 'name';
    const control = button('', () => act(control.dataset.action, t.id));
    control.className = 'control';
    const bar = document.createElement('progress');
    const detail = document.createElement('div');
    detail.className = 'detail';
    const error = document.createElement('div');
    error.className = 'error';
    row.append(name, control);
    li.append(row, bar, detail, error);
  }
  const name = li.querySelector('.name');
  name.textContent = t.name || t.url;
  name.title = t.url;

  const control = li.querySelector('.control');
  const action = (t.state === 'running' || t.state === 'waiting' || t.state === 'queued')
    ? 'pause' : (t.state === 'paused' ? 'resume' : '');
  control.dataset.action = action;
  control.textContent = action === 'pause' ? 'Pause' : 'Resume';
  control.hidden = action === '';

  const bar = li.querySelector('progress');
  bar.hidden = t.state === 'completed';
  bar.max = t.bytes_total > 0 ? t.bytes_total : 1;
  if (t.bytes_total > 0)
    bar.value = t.bytes_done;
  else
    bar.removeAttribute('value');

  li.querySelector('.detail').textContent = describe(t);
  const error = li.querySelector('.error');
  error.textContent = t.error;
  error.hidden = !t.error;
}

function showTransfers (transfers) {
  const list = document.getElementById('transfers');
  const rows = new Map([...list.children].map((li) => [li.dataset.transfer, li]));
  const ordered = transfers.map((t) => {
    const li = rows.get(String(t.id)) ?? document.createElement('li');
    updateRow(li, t);
    return li;
  });
  // Only when the set or the order changed: moving a row would reset the pointer's target.
  if (ordered.length !== list.children.length || ordered.some((li, i) => list.children[i] !== li))
    list.replaceChildren(...ordered);
}

async function showOffers () {
  const offers = await loadOffers();
  const list = document.getElementById('offer-list');
  list.replaceChildren(...offers.map((o) => {
    const li = document.createElement('li');
    li.dataset.download = o.download;
    const text = document.createElement('div');
    text.textContent = `Ferry already holds ${formatBytes(o.done)} of ${o.name} ` +
                       `(${formatBytes(o.size)}). Continue there from this link?`;
    const row = document.createElement('div');
    row.className = 'row';
    const choose = async (type) => {
      const answer = await api.runtime.sendMessage({ type, download: o.download });
      if (!answer?.ok)
        setStatus(answer?.error ?? 'The choice could not be made');
      await showOffers();
      await refresh();
    };
    row.append(button('Continue in Ferry', () => choose('continue'), 'suggested'),
               button('Download in browser', () => choose('keep')));
    li.append(text, row);
    return li;
  }));
  document.getElementById('offers').hidden = offers.length === 0;
}

async function refresh () {
  try {
    const { transfers } = await askFerry({ type: 'list' });
    showTransfers(transfers);
    document.getElementById('empty').hidden = transfers.length > 0;
    if (document.getElementById('status').dataset.fromRefresh)
      setStatus('');
  } catch (e) {
    setStatus(e.message);
    document.getElementById('status').dataset.fromRefresh = '1';
  }
}

async function setUpSettings () {
  const settings = await loadSettings();
  const auto = document.getElementById('auto');
  const minSize = document.getElementById('min-size');
  auto.checked = settings.auto;
  minSize.value = Math.round(settings.minSize / MB);
  const save = async () => {
    const mb = Math.max(0, Number(minSize.value) || 0);
    await saveSettings({ auto: auto.checked, minSize: mb * MB });
  };
  auto.addEventListener('change', save);
  minSize.addEventListener('change', save);
}

document.getElementById('show').addEventListener('click', async () => {
  try {
    await askFerry({ type: 'show' });
  } catch (e) {
    setStatus(e.message);
  }
});

api.storage.onChanged.addListener((changes) => {
  if (changes.offers)
    showOffers();
});

if (new URLSearchParams(location.search).has('welcome')) {
  document.body.classList.add('welcome');
  document.getElementById('welcome').hidden = false;
}
setUpSettings();
showOffers();
refresh();
// Only while the popup is open: it goes away with it.
setInterval(refresh, 1000);
