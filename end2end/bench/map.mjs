// Measures the board map in Debian's Chromium (software WebGL): the JS and wasm the board
// loads (bytes on the wire and unpacked), the time to the first map render, and the time to
// apply a 100-feature live update until the map is idle again. Run against a running server:
//
//   node end2end/bench/map.mjs http://127.0.0.1:3000 [runs]
//
// Uses the demo account zhihui. Prints one JSON object per run and the medians.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const login = await page.request.post(base + '/api/v1/login', { data: { username: 'zhihui', password: 'Ciqikou-141-demo' } });
  if (login.status() !== 200) throw new Error('login failed: ' + login.status());
  await page.goto(base + '/');
  await page.locator('[data-testid=district-map].ready').waitFor({ timeout: 120_000 });
  const r = await page.evaluate(async () => {
    const m = window.zhizhiMap;
    const firstRender = Number(document.getElementById('board-map').getAttribute('data-first-render-ms'));
    await new Promise((res) => { if (m.loaded() && !m.isMoving()) { m.once('idle', res); m.triggerRepaint(); } else m.once('idle', res); });
    // One repaint with nothing changed: what drawing a frame costs on this machine.
    const f0 = performance.now();
    await new Promise((res) => { m.once('idle', res); m.triggerRepaint(); });
    const frame = performance.now() - f0;
    // A 100-feature live update, five times: when the worker has applied the diff, when the
    // first frame showing it is drawn, and when the map is idle again.
    const updates = [];
    for (let rep = 0; rep < 5; rep++) {
      const c = m.getCenter();
      const add = Array.from({ length: 100 }, (_, k) => ({
        type: 'Feature', id: 800000 + rep * 1000 + k,
        geometry: { type: 'Point', coordinates: [c.lng + (k % 10) * 0.0003, c.lat + Math.floor(k / 10) * 0.0003] },
        properties: { case_id: 800000 + k, urgency: ['critical', 'high', 'medium', 'normal'][k % 4], state: 'reported' },
      }));
      const t0 = performance.now();
      let drawn = 0;
      m.once('render', () => { drawn = performance.now() - t0; });
      const idle = new Promise((res) => m.once('idle', res));
      await m.getSource('cases').updateData({ add }, true);
      const applied = performance.now() - t0;
      await idle;
      updates.push({ applied, drawn, idle: performance.now() - t0 });
      await new Promise((res) => { m.once('idle', res); m.getSource('cases').updateData({ remove: add.map((f) => f.id) }); });
    }
    const mid = (k) => updates.map((u) => u[k]).sort((a, b) => a - b)[2];
    const update = { applied: mid('applied'), drawn: mid('drawn'), idle: mid('idle') };
    const sizes = {};
    for (const e of performance.getEntriesByType('resource')) {
      const kind = e.name.endsWith('.wasm') ? 'wasm' : e.name.endsWith('.js') ? 'js' : e.name.includes('/api/v1/map/') || e.name.includes('/api/v1/cases') ? 'data' : null;
      if (!kind) continue;
      sizes[kind] ??= { wire: 0, unpacked: 0, files: [] };
      sizes[kind].wire += e.transferSize;
      sizes[kind].unpacked += e.decodedBodySize;
      sizes[kind].files.push(`${e.name.replace(location.origin, '')} ${e.transferSize}/${e.decodedBodySize}`);
    }
    const floors = m.querySourceFeatures('floors').length;
    return { firstRender, frame, update, sizes, floorsInTiles: floors };
  });
  console.log(JSON.stringify(r));
  results.push(r);
  await context.close();
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  runs,
  first_render_ms_median: Math.round(median(results.map((r) => r.firstRender))),
  update_100_applied_ms_median: Math.round(median(results.map((r) => r.update.applied))),
  update_100_first_frame_ms_median: Math.round(median(results.map((r) => r.update.drawn))),
  update_100_idle_ms_median: Math.round(median(results.map((r) => r.update.idle))),
  plain_repaint_ms_median: Math.round(median(results.map((r) => r.frame))),
}));
await browser.close();
