import { test, expect, devices, Page, Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loginAs } from './helpers';

// The rising Jialing (the simulator's river story): the board suggests Ⅳ, command staff enter
// the forecast peak and confirm; the list at the peak names the riverside households, the
// vulnerable first; the grid worker marks them moved on the phone and the head count on the
// command screen reaches 「全部转移」 without a reload; arrivals fill a shelter; the stand-down
// sends everyone home.

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

async function signedIn(browser: Browser, username: string, options: object): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await loginAs(page, username);
  return page;
}

test('the river rises past the warning level: Ⅳ confirmed, the riverside households moved, a shelter filled, stand-down', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  };
  const coord = await signedIn(browser, 'zhihui', { viewport: { width: 1366, height: 768 }, ...zh });
  watch(coord);
  await coord.goto('/flood');
  await expect(coord.locator('[data-testid=flood][data-live]')).toHaveCount(1);
  await expect(coord.getByTestId('flood-quiet')).toBeVisible();

  // The simulator's story: six hours of readings, 178.60 m rising to 180.70 m.
  execFileSync(path.join(__dirname, '..', '..', 'target', 'debug', 'zhizhi'), ['simulate', '--url', baseURL!, '--story', 'river', '--rate', '0']);
  await expect(coord.getByTestId('flood-suggestion')).toContainText('建议启动Ⅳ级响应', { timeout: 10_000 });
  await expect(coord.getByTestId('gauge-level')).toHaveText('180.70 米');
  await expect(coord.getByTestId('gauge-stage')).toHaveText('超警戒');
  await expect(coord.getByTestId('level-chart').locator('polyline')).toHaveCount(1);

  // The forecast peak: 181.80 m in six hours.
  await coord.getByTestId('forecast-peak').fill('181.8');
  await coord.getByTestId('forecast-hours').fill('6');
  await coord.getByTestId('forecast-save').click();
  await expect(coord.getByTestId('gauge-forecast')).toContainText('预报洪峰 181.80 米');
  await expect(coord.getByTestId('flooded-zone')).toHaveCount(1);
  const rows = coord.getByTestId('flood-household');
  const n = await rows.count();
  expect(n).toBeGreaterThanOrEqual(9);

  // Confirm Ⅳ: the flood plan runs; issue the list at the peak.
  await coord.getByTestId('confirm-level').click();
  await expect(coord.getByTestId('flood-level')).toHaveText('Ⅳ级');
  await coord.getByTestId('draw-list').click();
  await expect(rows.first().getByTestId('evac-state')).toHaveText('待转移');
  await expect(rows.getByTestId('evac-state').filter({ hasText: '未列入名单' })).toHaveCount(0);
  const must = await coord.getByTestId('hc-must').textContent();
  await expect(coord.getByTestId('hc-unaccounted')).toHaveText(must!);
  await coord.screenshot({ path: 'end2end/test-results/flood-listed.png', fullPage: true });

  // The grid worker on the phone, in the street.
  const worker = await signedIn(browser, 'wanggeyuan', { ...devices['Pixel 7'], ...zh });
  watch(worker);
  await worker.goto('/flood');
  await expect(worker.locator('[data-testid=flood][data-live]')).toHaveCount(1);
  const cards = worker.getByTestId('flood-household');
  await expect(cards).toHaveCount(n);
  await worker.screenshot({ path: 'end2end/test-results/flood-phone.png', fullPage: true });
  // Two households arrive at the school shelter, the rest are moved (their own count).
  for (let i = 0; i < n; i++) {
    const card = cards.filter({ has: worker.getByTestId('evac-state').filter({ hasText: '待转移' }) }).first();
    const id = await card.getAttribute('data-household');
    const mine = worker.locator(`[data-testid=flood-household][data-household="${id}"]`);
    if (i < 2) {
      await mine.getByTestId('evac-at_shelter').click();
    } else {
      await mine.getByTestId('evac-moved').click();
    }
    await mine.getByTestId('evac-submit').click();
    await expect(mine.getByTestId('evac-state')).toContainText(i < 2 ? '已到安置点' : '已转移');
  }
  // The command screen follows without a reload.
  await expect(coord.getByTestId('all-moved')).toBeVisible({ timeout: 10_000 });
  await expect(coord.getByTestId('hc-moved')).toHaveText(must!);
  const school = coord.getByTestId('shelter').filter({ hasText: '磁器口小学安置点' });
  await expect(school.getByTestId('shelter-occupancy')).not.toHaveText('0 / 60 人');
  await coord.screenshot({ path: 'end2end/test-results/flood-all-moved.png', fullPage: true });

  // The river falls back below the warning level (the gauge's alarm clears); stand-down:
  // everyone goes home, the shelters empty.
  const admin = await signedIn(browser, 'guanliyuan', { viewport: { width: 1366, height: 768 }, ...zh });
  const issued = await admin.request.post('/api/v1/tokens', { data: { name: 'e2e-gauge', scopes: ['ingest'] }, headers: { 'Sec-Fetch-Site': 'same-origin' } });
  expect(issued.status()).toBe(201);
  const gauge = (await (await admin.request.get('/api/v1/devices?kind=water_level_gauge&limit=100')).json()).devices.sort((a: any, b: any) => a.id - b.id)[0];
  const fell = await admin.request.post('/api/v1/ingest', {
    data: [{ device_id: gauge.code, msg_id: `e2e-fall-${Date.now()}`, ts: Date.now(), kind: 'water_level', payload: { metres: 179.6 } }],
    headers: { Authorization: `Bearer ${(await issued.json()).token}` },
  });
  expect(fell.status()).toBe(200);
  await expect(coord.getByTestId('gauge-level')).toHaveText('179.60 米', { timeout: 10_000 });
  await coord.getByTestId('flood-reason').fill('水位回落至警戒水位以下');
  await coord.getByTestId('flood-stand-down').click();
  await expect(coord.getByTestId('flood-level')).toHaveCount(0);
  await expect(school.getByTestId('shelter-occupancy')).toHaveText('0 / 60 人');
  await expect(rows.getByTestId('evac-state').filter({ hasText: '已返家' })).toHaveCount(n);
  await expect(coord.getByTestId('all-home')).toContainText(`${must}已返家`);
  await expect(coord.getByTestId('all-moved')).toHaveCount(0);
  expect(problems).toEqual([]);
  for (const p of [coord, worker, admin]) await p.context().close();
});

test('an administrator brings the street\'s own flood zones from a GeoJSON file and adds a shelter', async ({ browser }) => {
  const admin = await signedIn(browser, 'guanliyuan', { viewport: { width: 1366, height: 768 }, ...zh });
  await admin.goto('/flood');
  await expect(admin.locator('[data-testid=flood][data-live]')).toHaveCount(1);
  const square = [[106.440, 29.5855], [106.442, 29.5855], [106.442, 29.5865], [106.440, 29.5865], [106.440, 29.5855]];
  const file = (features: object[]) => ({ name: 'zones.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) });
  const good = { type: 'Feature', properties: { name: '滨江路低洼段', flood_level_m: 186 }, geometry: { type: 'Polygon', coordinates: [square] } };
  const bad = { type: 'Feature', properties: { name: '无水位的区' }, geometry: { type: 'Polygon', coordinates: [square] } };
  // One bad feature: nothing is imported, and the file's feature is named.
  await admin.getByTestId('zone-file').setInputFiles(file([good, bad]));
  await admin.getByTestId('zone-import-go').click();
  await expect(admin.getByTestId('flood-error')).toContainText('第 2 个要素');
  await expect(admin.getByTestId('zone-level').filter({ hasText: '186.00 米' })).toHaveCount(0);
  await admin.getByTestId('zone-file').setInputFiles(file([good]));
  await admin.getByTestId('zone-import-go').click();
  await expect(admin.getByTestId('zone-level').filter({ hasText: '186.00 米' })).toHaveCount(1);
  // A shelter at a building found by its address.
  await admin.getByTestId('shelter-name').fill('磁南街社区临时安置点');
  await admin.getByTestId('shelter-capacity').fill('40');
  await admin.getByTestId('shelter-address').fill('磁南街27号');
  await admin.getByTestId('shelter-search').click();
  await admin.getByTestId('shelter-building').first().click();
  await admin.getByTestId('shelter-add').click();
  const added = admin.getByTestId('shelter').filter({ hasText: '磁南街社区临时安置点' });
  await expect(added.getByTestId('shelter-occupancy')).toHaveText('0 / 40 人');
  await admin.screenshot({ path: 'end2end/test-results/flood-settings.png', fullPage: true });
  await admin.context().close();
});
