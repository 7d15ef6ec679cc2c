import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import { apiPost, loginAs } from './helpers';

// The district map on the command screen, drawn by MapLibre in Chromium's software WebGL
// (SwiftShader). Assertions are on the features MapLibre actually rendered, not on a canvas.

test.describe.configure({ timeout: 90_000 });

/** Waits until the map has drawn once and returns its first-render time (ms since navigation). */
async function mapReady(page: Page): Promise<number> {
  const map = page.locator('[data-testid=district-map].ready');
  await expect(map).toBeVisible({ timeout: 60_000 });
  return Number(await page.locator('#board-map').getAttribute('data-first-render-ms'));
}

/** Waits for the map to finish what it is doing. */
async function idle(page: Page) {
  await page.evaluate(() => new Promise<void>((resolve) => {
    const m = (window as any).zhizhiMap;
    if (m.loaded() && !m.isMoving()) { m.once('idle', () => resolve()); m.triggerRepaint(); } else m.once('idle', () => resolve());
  }));
}

function metric(name: string, value: unknown) {
  const file = 'end2end/test-results/map-metrics.json';
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  all[name] = value;
  fs.mkdirSync('end2end/test-results', { recursive: true });
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
}

test('the board map draws the street in 3D, floor by floor, with grids, devices and a new case live', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page's Content-Security-Policy lets the wasm, MapLibre and its worker run: any refusal
  // would be reported here.
  page.on('console', (m) => { if (m.text().includes('Content Security Policy')) errors.push(m.text()); });
  await loginAs(page, 'zhihui');
  const firstRender = await mapReady(page);
  metric('first_map_render_ms', firstRender);
  await idle(page);

  const rendered = await page.evaluate(() => {
    const m = (window as any).zhizhiMap;
    const floors = m.queryRenderedFeatures({ layers: ['floors'] });
    return {
      floors: floors.length,
      buildings: new Set(floors.map((f: any) => f.properties.building_id)).size,
      maxFloor: Math.max(...floors.map((f: any) => f.properties.floor)),
      grids: m.queryRenderedFeatures({ layers: ['grid-lines'] }).length,
      devices: m.queryRenderedFeatures({ layers: ['devices'] }).length,
      pitch: m.getPitch(),
    };
  });
  expect(rendered.buildings).toBeGreaterThan(20);
  expect(rendered.floors).toBeGreaterThan(rendered.buildings);
  expect(rendered.maxFloor).toBeGreaterThan(5);
  expect(rendered.grids).toBeGreaterThan(5);
  expect(rendered.devices).toBeGreaterThan(50);
  expect(rendered.pitch).toBeGreaterThan(30);
  await expect(page.locator('.map-label').filter({ hasText: '第一网格' }).first()).toBeAttached();
  await page.screenshot({ path: 'end2end/test-results/map-board.png' });

  // A case reported through the API appears on the open map without a reload, glowing.
  const search = await page.request.get('/api/v1/buildings?q=' + encodeURIComponent('磁南街27号'));
  const building = (await search.json())[0];
  const res = await apiPost(page, '/api/v1/cases', { category: 'greening.branch', description: '行道树断枝悬挂，有坠落危险', building_id: building.id });
  expect(res.status()).toBe(201);
  const caseId = (await res.json()).case.id;
  await expect.poll(() => page.evaluate((id) => {
    const m = (window as any).zhizhiMap;
    const f = m.querySourceFeatures('cases').find((x: any) => x.id === id);
    return f ? { state: f.properties.state, fresh: m.getFeatureState({ source: 'cases', id }).fresh } : null;
  }, caseId), { timeout: 15_000 }).toEqual({ state: 'reported', fresh: true });
  await page.evaluate(([lon, lat]) => (window as any).zhizhiMap.jumpTo({ center: [lon, lat], zoom: 17 }), [building.lon, building.lat]);
  await idle(page);
  const onScreen = await page.evaluate((id) => (window as any).zhizhiMap.queryRenderedFeatures({ layers: ['cases'] }).some((f: any) => f.id === id), caseId);
  expect(onScreen).toBe(true);
  await page.screenshot({ path: 'end2end/test-results/map-live-case.png' });

  // A 100-feature live update, applied the way the stream's events are (a diff on the source).
  const updateMs = await page.evaluate(async () => {
    const m = (window as any).zhizhiMap;
    const c = m.getCenter();
    const add = Array.from({ length: 100 }, (_, i) => ({
      type: 'Feature', id: 900000 + i,
      geometry: { type: 'Point', coordinates: [c.lng + (i % 10) * 0.0002, c.lat + Math.floor(i / 10) * 0.0002] },
      properties: { case_id: 900000 + i, urgency: ['critical', 'high', 'medium', 'normal'][i % 4], state: 'reported' },
    }));
    const t0 = performance.now();
    const idle = new Promise((r) => m.once('idle', r));
    await m.getSource('cases').updateData({ add }, true);
    await idle;
    const t = performance.now() - t0;
    m.getSource('cases').updateData({ remove: add.map((f) => f.id) });
    return t;
  });
  metric('live_update_100_features_ms', Math.round(updateMs));
  expect(errors).toEqual([]);
});

test('clicking a building opens its floors; search flies to an address; layers switch off', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await mapReady(page);
  // Case markers take clicks before buildings: switch them off, look straight down on one
  // building and click its middle.
  await page.getByTestId('layer-cases').click();
  const search = await page.request.get('/api/v1/buildings?q=' + encodeURIComponent('磁南街27号'));
  const b = (await search.json())[0];
  await page.evaluate(([lon, lat]) => (window as any).zhizhiMap.jumpTo({ center: [lon, lat], zoom: 18, pitch: 0, bearing: 0 }), [b.lon, b.lat]);
  await idle(page);
  const box = (await page.locator('#board-map canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const panel = page.getByTestId('building-panel');
  await expect(panel.getByRole('heading', { name: '磁南街27号' })).toBeVisible();
  await expect(panel.locator('[data-testid=floor-stack] > li')).toHaveCount(b.floors);
  await expect(panel.locator('[data-testid=floor-stack] > li').first()).toHaveAttribute('data-floor', String(b.floors));
  // The clicked floor is open: its households and masked residents.
  const open = panel.locator('.floor.open');
  await expect(open).toHaveCount(1);
  await expect(panel).toContainText('信息已脱敏');
  await page.evaluate(() => (window as any).zhizhiMap.easeTo({ pitch: 55, bearing: -20, duration: 0 }));
  await idle(page);
  await page.screenshot({ path: 'end2end/test-results/map-building-floors.png' });
  await panel.getByRole('button', { name: '关闭' }).click();

  await page.getByTestId('map-search').fill('磁正街');
  await page.getByRole('button', { name: '搜索' }).click();
  const hits = page.getByTestId('search-hits').locator('button');
  await expect(hits.first()).toBeVisible();
  const label = (await hits.first().locator('b').textContent())!;
  await hits.first().click();
  await expect(page.getByTestId('building-panel').getByRole('heading', { name: label })).toBeVisible();

  await page.getByTestId('layer-buildings').click();
  await idle(page);
  expect(await page.evaluate(() => (window as any).zhizhiMap.queryRenderedFeatures({ layers: ['floors'] }).length)).toBe(0);
});
