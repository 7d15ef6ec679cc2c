import { expect, test } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

// A grid worker's phone map: their own grid, their tasks on it, and a way to get there.

test.describe.configure({ timeout: 90_000 });

test('a grid worker sees their grid on the phone map with a new task and a link to go there', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  await page.goto('/my-grid');
  await expect(page.locator('[data-testid=district-map].ready')).toBeVisible({ timeout: 60_000 });
  const me = await (await page.request.get('/api/v1/me')).json();
  // A building in the worker's grid: where one of their residents lives.
  const residents = await (await page.request.get(`/api/v1/grids/${me.grid_ids[0]}/residents?limit=1`)).json();
  const buildings = await (await page.request.get('/api/v1/buildings?q=' + encodeURIComponent(residents[0].address))).json();
  const mine = buildings.filter((b: any) => me.grid_ids.includes(b.grid_id));
  expect(mine.length).toBeGreaterThan(0);
  const rendered = await page.evaluate(() => new Set((window as any).zhizhiMap.queryRenderedFeatures({ layers: ['floors'] }).map((f: any) => f.properties.building_id)).size);
  expect(rendered).toBeGreaterThan(3);

  // The worker reports a case in their grid: it appears on their map at once.
  const b = mine[0];
  const res = await apiPost(page, '/api/v1/cases', { category: 'greening.branch', description: '行道树断枝悬挂，有坠落危险', building_id: b.id });
  expect(res.status()).toBe(201);
  const id = (await res.json()).case.id;
  await expect.poll(() => page.evaluate((cid) => (window as any).zhizhiMap.querySourceFeatures('cases').some((f: any) => f.id === cid), id), { timeout: 15_000 }).toBe(true);
  await page.evaluate(([lon, lat]) => (window as any).zhizhiMap.jumpTo({ center: [lon, lat], zoom: 18 }), [b.lon, b.lat]);
  await page.evaluate(() => new Promise((r) => (window as any).zhizhiMap.once('idle', r)));
  const box = (await page.locator('#phone-map canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const card = page.getByTestId('map-case-card');
  await expect(card).toContainText(b.address);
  await expect(card.getByTestId('go-there')).toHaveAttribute('href', /^geo:29\.\d+,106\.\d+/);
  const target = await card.getByTestId('go-there').boundingBox();
  expect(target!.height).toBeGreaterThanOrEqual(44);
  await page.screenshot({ path: 'end2end/test-results/map-phone.png' });
});
