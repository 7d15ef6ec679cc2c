// 智治 service worker: the grid worker's phone pages open without a signal.
//
// Two caches. `zz-shell` holds what carries no personal data (the code, styles, icons, the
// manifest). `zz-data` holds the worker's own pages as the server rendered them for them —
// their tasks, the report form with their grid's buildings, their grid and its map, their
// households on a flood evacuation list, the cases
// on their tasks — masked exactly as on screen; it is erased when the session ends (logout,
// expiry, an administrator ending it: the next page the server answers is the login page).
//
// Everything is network first: with a signal the phone sees the server's current answer (and
// keeps a copy); without one, the copy. Nothing else is touched: API writes, the live stream
// and downloads go to the network as if this worker were not here.

const SHELL = 'zz-shell-v1';
const DATA = 'zz-data-v1';
// The pages a grid worker works from; `/cases/{id}` pages are kept as they are visited or
// warmed (the pages ask for their tasks' cases, `warm` below).
const PAGES = ['/m/tasks', '/report', '/my-grid', '/flood'];
const SHELL_FILES = ['/manifest.webmanifest', '/icons/zhizhi-192.png', '/favicon.svg', '/outbox.js'];
// A navigation waits this long for the network before the copy is shown (a signal too weak
// to answer is no signal).
const PATIENCE_MS = 6000;
// What a page rendered for a phone worker carries (the outbox bar); no other page is kept.
const MARK = 'data-testid="outbox"';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL);
    await Promise.all(SHELL_FILES.map((u) => shell.add(u).catch(() => {})));
    await warmPages(PAGES);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL, DATA];
    for (const name of await caches.keys()) {
      if (!keep.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(path) {
  return PAGES.includes(path) || /^\/cases\/\d+$/.test(path);
}

function isShell(path) {
  return path.startsWith('/pkg/') || path.startsWith('/vendor/') || path.startsWith('/icons/') || SHELL_FILES.includes(path) || path === '/call.js';
}

// The data a page reads after it has loaded, kept for the phone: the map of the worker's grid.
function isPageData(path) {
  return path.startsWith('/api/v1/map/') || path === '/api/v1/categories';
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (req.mode === 'navigate' && path === '/login') {
    // The session is over (or never was): nothing of it stays on the phone.
    event.waitUntil(caches.delete(DATA));
    return;
  }
  if (req.mode === 'navigate' && isPage(path)) {
    event.respondWith(page(req));
  } else if (isShell(path)) {
    event.respondWith(networkFirst(req, SHELL));
  } else if (isPageData(path)) {
    event.respondWith(networkFirst(req, DATA));
  }
});

async function page(req) {
  const cache = await caches.open(DATA);
  const key = new URL(req.url).pathname;
  try {
    const resp = await withPatience(fetch(req), PATIENCE_MS);
    if (resp.type === 'opaqueredirect' || resp.redirected) {
      // Sent to the login page: the session ended.
      await caches.delete(DATA);
      return resp;
    }
    if (resp.status === 200) {
      const html = await resp.clone().text();
      // Only the pages of those who work from a phone (their pages carry the outbox): a
      // coordinator's case page on this browser is not kept.
      if (html.includes(MARK)) {
        await cache.put(key, resp.clone());
        warmAssets(resp.clone());
      }
      return resp;
    }
    // The server could not answer now: the copy, if there is one, serves better.
    if (resp.status >= 500) {
      const copy = await cache.match(key);
      if (copy) return copy;
    }
    return resp;
  } catch (e) {
    const copy = await cache.match(key);
    if (copy) return copy;
    return offlinePage(key);
  }
}

async function networkFirst(req, name) {
  const cache = await caches.open(name);
  try {
    const resp = await fetch(req);
    if (resp.status === 200 && resp.type === 'basic' && !(await same(await cache.match(req), resp))) {
      const path = new URL(req.url).pathname;
      const replaced = !!(await cache.match(req)) || (HASHED.test(path) && (await otherVersionKept(cache, path)));
      await cache.put(req, resp.clone());
      // New code (the same name changed, or a new build's folder): the kept pages were
      // rendered for the old one; render them again so that a page opened without a signal
      // runs with the code it was made for.
      if (replaced && path.startsWith('/pkg/')) rewarm();
    }
    return resp;
  } catch (e) {
    const copy = await cache.match(req, { ignoreVary: true });
    if (copy) return copy;
    throw e;
  }
}

// Whether the kept copy is this very file (the code is megabytes: not written again on every
// page load).
async function same(kept, resp) {
  if (!kept) return false;
  const h = (r, n) => r.headers.get(n);
  return !!h(resp, 'last-modified') && h(kept, 'last-modified') === h(resp, 'last-modified') && h(kept, 'content-length') === h(resp, 'content-length');
}

function withPatience(promise, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

// Renders every kept page again: once at a time (a page of a new build brings a score of
// its files at once), and once more if asked meanwhile.
let rewarming = null;
let rewarmAgain = false;
function rewarm() {
  if (rewarming) {
    rewarmAgain = true;
    return rewarming;
  }
  rewarming = (async () => {
    do {
      rewarmAgain = false;
      const cache = await caches.open(DATA);
      const paths = (await cache.keys()).map((k) => new URL(k.url).pathname).filter(isPage);
      await warmPages(paths);
      await forgetUnusedVersions();
    } while (rewarmAgain);
  })().finally(() => { rewarming = null; });
  return rewarming;
}

// Whether the shell keeps this file of another build (`/pkg/v/<build>/zhizhi.wasm`).
async function otherVersionKept(shell, path) {
  const kind = path.replace(HASHED, '');
  return (await shell.keys()).some((k) => {
    const p = new URL(k.url).pathname;
    return p !== path && HASHED.test(p) && p.replace(HASHED, '') === kind;
  });
}

// Once every kept page was rendered again: the files of builds no kept page loads any more
// (a build is kept whole: its other groups' chunks and the files its code imports are not
// named in the page).
async function forgetUnusedVersions() {
  const data = await caches.open(DATA);
  const shell = await caches.open(SHELL);
  const used = new Set();
  for (const k of await data.keys()) {
    if (!isPage(new URL(k.url).pathname)) continue;
    const r = await data.match(k);
    if (!r) continue;
    for (const m of (await r.text()).matchAll(PKG_URL)) used.add(m[1].match(HASHED)?.[0]);
  }
  for (const k of await shell.keys()) {
    const build = new URL(k.url).pathname.match(HASHED)?.[0];
    if (build && !used.has(build)) await shell.delete(k);
  }
}

// Fetches pages (with the session's cookie) and keeps them, with the code they load.
async function warmPages(paths) {
  const cache = await caches.open(DATA);
  for (const p of paths) {
    try {
      const resp = await fetch(p, { credentials: 'same-origin', redirect: 'manual' });
      if (resp.status !== 200 || resp.type !== 'basic') continue;
      const html = await resp.clone().text();
      if (!html.includes(MARK)) continue;
      await cache.put(p, resp.clone());
      await warmAssets(resp);
    } catch (e) {
      // No signal: the pages are kept as they are visited instead.
    }
  }
}

// The code and styles a page loads (`/pkg/v/<build>/…`: its build's folder, named by content;
// in a split build also the page's own chunk), kept beside it.
const HASHED = /^\/pkg\/v\/[0-9a-f]{16}\//;
const PKG_URL = /["'(](\/pkg\/[A-Za-z0-9_.\-\/]+)["')]/g;
async function warmAssets(resp) {
  const html = await resp.text();
  const shell = await caches.open(SHELL);
  const found = new Set();
  for (const m of html.matchAll(PKG_URL)) found.add(m[1]);
  // The page preloads its wasm (by the name the hydration script asks for) and its chunks.
  for (const u of found) {
    if (!(await shell.match(u))) {
      try {
        const r = await fetch(u);
        if (r.status === 200) await shell.put(u, r);
      } catch (e) {}
    }
  }
}

function offlinePage(path) {
  const body = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>无信号 · 智治</title>
<style>body{background:#0a1628;color:#e2e8f0;font:18px/1.6 system-ui,sans-serif;padding:24px}
a{display:block;margin:16px 0;padding:14px;border-radius:10px;background:#1e3a5f;color:#fff;text-align:center;text-decoration:none}</style></head>
<body data-testid="offline-page"><h1>当前无信号</h1><p>此页面（${path.replace(/[<>&"]/g, '')}）还没有存到手机上，恢复信号后再打开。</p>
<a href="/m/tasks">我的任务</a><a href="/report">上报事件</a><a href="/my-grid">我的网格</a></body></html>`;
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

// Messages from the pages: `warm` keeps more pages (the cases on the worker's tasks) and says
// how much the phone now keeps; `erase` forgets the worker's data.
self.addEventListener('message', (event) => {
  const msg = event.data || {};
  const reply = (v) => event.ports && event.ports[0] && event.ports[0].postMessage(v);
  if (msg.type === 'warm' && Array.isArray(msg.paths)) {
    const paths = msg.paths.filter((p) => typeof p === 'string' && isPage(p));
    event.waitUntil(warmPages(paths).then(async () => reply(await kept())));
  } else if (msg.type === 'erase') {
    event.waitUntil(caches.delete(DATA).then(() => reply({ erased: true })));
  } else if (msg.type === 'kept') {
    event.waitUntil(kept().then(reply));
  }
});

// What the phone keeps: pages and bytes, per cache.
async function kept() {
  const out = {};
  for (const name of [SHELL, DATA]) {
    const cache = await caches.open(name);
    let bytes = 0;
    const keys = await cache.keys();
    for (const k of keys) {
      const r = await cache.match(k);
      if (r) bytes += (await r.arrayBuffer()).byteLength;
    }
    out[name.startsWith('zz-shell') ? 'shell' : 'data'] = { entries: keys.length, bytes };
  }
  return out;
}
