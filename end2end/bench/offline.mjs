// Measures the phone app's first sync of a grid on a throttled connection: from opening the
// tasks page in a fresh browser profile (no service worker, nothing kept) until the phone keeps
// everything it needs without a signal — its pages, the cases on its tasks, the code and the
// map of its grid — and what that weighs. Run against a running demo server:
//
//   node end2end/bench/offline.mjs http://127.0.0.1:3000 [download kbit/s] [upload kbit/s] [rtt ms]
//
// Defaults to a weak 3G signal (1,600 / 750 kbit/s, 300 ms round trip), as in a stairwell.
import { chromium, devices } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const down = Number(process.argv[3] ?? 1600);
const up = Number(process.argv[4] ?? 750);
const rtt = Number(process.argv[5] ?? 300);
const PASSWORD = 'Ciqikou-141-demo';

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
// Ten tasks for the worker's grid first, as on a busy day (the phone keeps each one's page).
const TASKS = Number(process.env.ZZ_BENCH_TASKS ?? 10);
{
  const desk = await browser.newContext({ locale: 'zh-CN' });
  const coord = await desk.newPage();
  const login = await coord.request.post(base + '/api/v1/login', { data: { username: 'zhihui', password: 'Ciqikou-141-demo' } });
  if (login.status() !== 200) throw new Error(`login zhihui: ${login.status()}`);
  const post = (url, data) => coord.request.post(base + url, { data, headers: { 'Sec-Fetch-Site': 'same-origin' } });
  const found = await (await coord.request.get(base + '/api/v1/buildings?q=' + encodeURIComponent('磁南街'))).json();
  for (let i = 0; i < TASKS; i++) {
    const b = found[i % found.length];
    const r = await post('/api/v1/cases', { category: 'environment.litter', description: `离线基准：暴露垃圾 ${i + 1}`, building_id: b.id });
    const c = (await r.json()).case;
    await post(`/api/v1/cases/${c.id}/actions`, { action: 'dispatch', holders: [{ kind: 'grid', id: c.grid_id }] });
  }
  await desk.close();
}
const { defaultBrowserType: _, ...pixel } = devices['Pixel 7'];
const context = await browser.newContext({ ...pixel, locale: 'zh-CN' });
const page = await context.newPage();
const r = await page.request.post(base + '/api/v1/login', { data: { username: 'wanggeyuan', password: PASSWORD } });
if (r.status() !== 200) throw new Error(`login: ${r.status()}`);

const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.emulateNetworkConditions', {
  offline: false, latency: rtt, downloadThroughput: (down * 1000) / 8, uploadThroughput: (up * 1000) / 8,
});

const t0 = Date.now();
await page.goto(`${base}/m/tasks`);
await page.locator('[data-testid=outbox][data-ready]').waitFor({ state: 'attached', timeout: 300_000 });
const tPage = Date.now() - t0;
// The cases on the worker's tasks, as the page lists them.
const cases = await page.evaluate(async () => {
  const ids = new Set();
  for (const el of document.querySelectorAll('[data-testid=my-tasks] [data-case-id], [data-testid=my-reports] [data-case-id]')) ids.add(el.getAttribute('data-case-id'));
  return [...ids].map((id) => `/cases/${id}`);
});
const wanted = ['/m/tasks', '/report', '/my-grid', '/flood', ...cases];
for (;;) {
  const done = await page.evaluate(async (paths) => (await Promise.all(paths.map((p) => caches.match(p)))).every(Boolean), wanted);
  if (done) break;
  if (Date.now() - t0 > 600_000) throw new Error('not kept within 10 minutes');
  await page.waitForTimeout(200);
}
const tPages = Date.now() - t0;
// The map of the grid: opened once with the signal, kept for later.
await page.goto(`${base}/my-grid`);
await page.locator('[data-testid=district-map].ready').waitFor({ timeout: 600_000 });
const tMap = Date.now() - t0;
const kept = await page.evaluate(() => window.zzOutbox.kept());
const mb = (b) => (b / 1048576).toFixed(2);
console.log(`signal: ${down} kbit/s down, ${up} kbit/s up, ${rtt} ms round trip`);
console.log(`tasks page usable: ${(tPage / 1000).toFixed(1)} s`);
console.log(`pages kept (${wanted.length}: tasks, report, grid, flood list, ${cases.length} cases): ${(tPages / 1000).toFixed(1)} s`);
console.log(`map of the grid kept: ${(tMap / 1000).toFixed(1)} s`);
console.log(`kept: code and styles ${kept.shell.entries} files, ${mb(kept.shell.bytes)} MB; the worker's data ${kept.data.entries} entries, ${mb(kept.data.bytes)} MB`);
await browser.close();
