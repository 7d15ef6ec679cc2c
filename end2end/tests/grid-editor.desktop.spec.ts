import { expect, Page, test } from '@playwright/test';
import { DEMO_PASSWORD, loginAs } from './helpers';
import * as fs from 'fs';

// The administrators' grid editor: a micro-grid reshaped by dragging on the map is saved, and
// a case reported inside the reshaped area is routed to it at once; an overlap is refused.

test.describe.configure({ timeout: 90_000 });

type LonLat = [number, number];
const bbox = (ring: LonLat[]) => ({
  w: Math.min(...ring.map((p) => p[0])), e: Math.max(...ring.map((p) => p[0])),
  s: Math.min(...ring.map((p) => p[1])), n: Math.max(...ring.map((p) => p[1])),
});

async function screen(page: Page, p: LonLat): Promise<[number, number]> {
  const box = (await page.locator('#editor-map canvas').boundingBox())!;
  const xy = await page.evaluate((q) => { const pt = (window as any).zhizhiMap.project(q); return [pt.x, pt.y]; }, p);
  return [box.x + xy[0], box.y + xy[1]];
}

test('an administrator reshapes a micro-grid on the map, and a case inside it is routed there', async ({ page, request }) => {
  await loginAs(page, 'guanliyuan');
  await page.goto('/admin/grids');
  await expect(page.locator('[data-testid=editor-map].ready')).toBeVisible({ timeout: 60_000 });
  // The street's geography goes to a GIS as one GeoJSON file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-geography').click()]);
  expect(download.suggestedFilename()).toMatch(/地理数据-\d{12}\.geojson$/);
  const geo = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const levels = new Set(geo.features.map((f: { properties: { level: string } }) => f.properties.level));
  expect([...levels].sort()).toEqual(['building', 'community', 'grid', 'micro_grid']);
  const d = await (await page.request.get('/api/v1/grids/7/division')).json();
  await page.getByTestId('grid-select').selectOption('7');
  const list = page.getByTestId('micro-list').locator('li');
  await expect(list).toHaveCount(d.micro_grids.length);
  await expect(list.first()).toContainText(d.micro_grids[0].name);
  await expect(page.getByTestId('division-report')).toContainText('校验通过');
  const [a, b] = d.micro_grids;
  const A = bbox(a.boundary), B = bbox(b.boundary);
  expect(A.e).toBe(B.w);

  // Select the first micro-grid by clicking inside it, then drag both ends of the shared edge east.
  // Wait until the map has framed grid 7 and drawn the first micro-grid where we will click.
  await expect.poll(() => page.evaluate(([lon, lat, name]) => {
    const m = (window as any).zhizhiMap;
    if (m.isMoving()) return false;
    const p = m.project([lon, lat]);
    return m.queryRenderedFeatures(p, { layers: ['edit-fill'] }).some((f: any) => f.properties.name === name);
  }, [(A.w + A.e) / 2, (A.s + A.n) / 2, a.name] as const)).toBe(true);
  const inside = await screen(page, [(A.w + A.e) / 2, (A.s + A.n) / 2]);
  await page.mouse.click(inside[0], inside[1]);
  await expect(page.getByTestId('micro-list').locator('li.selected')).toContainText(a.name);
  // Its corner handles must be drawn before they can be grabbed.
  await expect.poll(() => page.evaluate(() => (window as any).zhizhiMap.queryRenderedFeatures({ layers: ['edit-vertices'] }).length)).toBeGreaterThanOrEqual(4);
  const x = A.e + 0.4 * (B.e - B.w);
  for (const lat of [A.n, A.s]) {
    const from = await screen(page, [A.e, lat]);
    const to = await screen(page, [x, lat]);
    await page.mouse.move(from[0], from[1]);
    await page.mouse.down();
    await page.mouse.move(to[0], to[1], { steps: 8 });
    await page.mouse.up();
    // The corner is where it was dropped (both micro-grids moved it) before the next drag.
    await expect.poll(() => page.evaluate(([lon, lat]) => {
      const m = (window as any).zhizhiMap;
      const p = m.project([lon, lat]);
      return m.queryRenderedFeatures([[p.x - 6, p.y - 6], [p.x + 6, p.y + 6]], { layers: ['edit-vertices'] }).length;
    }, [x, lat])).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('division-report')).toContainText('校验通过');
  await page.screenshot({ path: 'end2end/test-results/grid-editor-reshaped.png' });
  await page.getByTestId('save-division').click();
  await expect(page.getByTestId('editor-message')).toContainText('已保存');

  // A coordinator reports a case in the strip that changed hands: it goes to the grown micro-grid.
  const login = await request.post('/api/v1/login', { data: { username: 'zhihui', password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  const strip: LonLat = [(A.e + x) / 2, (A.s + A.n) / 2];
  const res = await request.post('/api/v1/cases', {
    data: { category: 'greening.branch', description: '行道树断枝悬挂，有坠落危险', lon: strip[0], lat: strip[1] },
    headers: { 'Sec-Fetch-Site': 'same-origin' },
  });
  expect(res.status()).toBe(201);
  const reported = (await res.json()).case;
  expect(reported.micro_grid_id).toBe(a.id);
  expect(reported.place).toContain(a.name);

  // Coordinates that run into the neighbour are refused, naming both.
  await list.first().locator('button').click();
  const grownInto = [[A.w, A.s], [B.e - 0.0001, A.s], [B.e - 0.0001, A.n], [A.w, A.n]];
  await page.getByTestId('shape-coords').fill(JSON.stringify(grownInto));
  await page.getByTestId('apply-shape').click();
  const report = page.getByTestId('division-report');
  await expect(report.getByRole('alert')).toContainText(`「${a.name}」与「${b.name}」重叠`);
  await page.getByTestId('save-division').click();
  await expect(page.getByTestId('editor-message')).toContainText('未保存');
  await page.screenshot({ path: 'end2end/test-results/grid-editor-overlap.png' });
  const after = await (await page.request.get('/api/v1/grids/7/division')).json();
  expect(bbox(after.micro_grids[0].boundary).e).toBeCloseTo(x, 4);
});
