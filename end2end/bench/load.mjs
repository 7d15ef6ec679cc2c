// Measures the first load of the pages users open first (in a split build: the main wasm and
// the chunks of the page's group), cold (a fresh browser profile each
// run: nothing cached, no service worker): the wasm and JS on the wire (what was sent, i.e.
// brotli when the server has it) and unpacked, and the time from navigation to the page
// answering input (`<html data-hydrated>`, set when the wasm has taken over the page). The map
// page also reports its first map render; the phone's task list is measured on localhost and
// on a throttled "fast 4G" profile (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip).
// Run against a running server with the demo accounts (a release build: ./scripts/demo):
//
//   node end2end/bench/load.mjs http://127.0.0.1:3000 [runs]
//
// Prints one JSON line per page and run, then a table of medians.
import { chromium, devices } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] ?? 5);
const PASSWORD = 'Ciqikou-141-demo';
const FAST_4G = { offline: false, latency: 150, downloadThroughput: (1600 * 1000) / 8, uploadThroughput: (750 * 1000) / 8 };
const desk = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' };
const phone = { ...devices['Pixel 7'], locale: 'zh-CN' };

const pages = [
  { name: 'login', path: '/login', user: null, ctx: desk },
  { name: 'board', path: '/', user: 'zhihui', ctx: desk, map: true },
  { name: 'phone tasks', path: '/m/tasks', user: 'wanggeyuan', ctx: phone },
  { name: 'phone tasks, fast 4G', path: '/m/tasks', user: 'wanggeyuan', ctx: phone, throttle: FAST_4G },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});

// The server compresses its files in the background after it starts: wait until the wasm
// comes as brotli, so every run measures what a user gets.
{
  const ctx = await browser.newContext();
  const html = await (await ctx.request.get(base + '/login')).text();
  const wasm = html.match(/\/pkg\/[^"']+\.wasm/)?.[0];
  if (!wasm) throw new Error('the login page names no wasm');
  for (let i = 0; ; i++) {
    const r = await ctx.request.get(base + wasm, { headers: { 'Accept-Encoding': 'br, gzip' } });
    if (r.headers()['content-encoding'] === 'br') break;
    if (i === 120) throw new Error(`${wasm} is not served as brotli (content-encoding: ${r.headers()['content-encoding']})`);
    await new Promise((res) => setTimeout(res, 500));
  }
  await ctx.close();
}

async function once(p) {
  const context = await browser.newContext({ ...p.ctx, serviceWorkers: 'block' });
  if (p.user) {
    const r = await context.request.post(base + '/api/v1/login', { data: { username: p.user, password: PASSWORD } });
    if (r.status() !== 200) throw new Error(`login ${p.user}: ${r.status()}`);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (p.throttle) await cdp.send('Network.emulateNetworkConditions', p.throttle);
  // Bytes on the wire per response, as the network layer counted them (headers included).
  const types = new Map();
  const wire = { wasm: 0, js: 0, css: 0 };
  const unpacked = { wasm: 0, js: 0, css: 0 };
  const files = [];
  cdp.on('Network.responseReceived', (e) => {
    const u = new URL(e.response.url);
    const kind = u.pathname.endsWith('.wasm') ? 'wasm' : u.pathname.endsWith('.js') ? 'js' : u.pathname.endsWith('.css') ? 'css' : null;
    if (kind) types.set(e.requestId, { kind, path: u.pathname, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? 'none' });
  });
  cdp.on('Network.dataReceived', (e) => { const t = types.get(e.requestId); if (t) unpacked[t.kind] += e.dataLength; });
  cdp.on('Network.loadingFinished', (e) => {
    const t = types.get(e.requestId);
    if (!t) return;
    wire[t.kind] += e.encodedDataLength;
    files.push(`${t.path} ${e.encodedDataLength} ${t.encoding}`);
  });
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.documentElement.hasAttribute('data-hydrated')) {
        window.__zzHydrated = performance.now();
        obs.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  });
  await page.goto(base + p.path, { waitUntil: 'commit' });
  await page.locator('html[data-hydrated]').waitFor({ timeout: 120_000 });
  if (p.map) await page.locator('[data-testid=district-map].ready').waitFor({ timeout: 120_000 });
  // Whatever the page still fetches after hydrating (the map script on map pages) is counted.
  await page.waitForLoadState('networkidle');
  const r = await page.evaluate(() => ({
    interactive: window.__zzHydrated,
    map: Number(document.getElementById('board-map')?.getAttribute('data-first-render-ms')) || null,
  }));
  await context.close();
  return { page: p.name, interactive_ms: Math.round(r.interactive), map_ms: r.map && Math.round(r.map), wire, unpacked, files };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const table = [];
for (const p of pages) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(p);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  const last = results[results.length - 1];
  table.push({
    page: p.name,
    'wasm files': last.files.filter((f) => f.split(' ')[0].endsWith('.wasm')).length,
    'wasm wire': kb(last.wire.wasm), 'wasm unpacked': kb(last.unpacked.wasm),
    'JS wire': kb(last.wire.js), 'CSS wire': kb(last.wire.css),
    'interactive ms (median)': median(results.map((r) => r.interactive_ms)),
    'map drawn ms (median)': p.map ? median(results.map((r) => r.map_ms)) : '',
  });
}
console.table(table);
await browser.close();
