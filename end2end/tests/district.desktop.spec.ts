import { expect, test } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

// A district of three streets (the second e2e server runs `--demo --demo-streets 3`): the
// district's command centre sees every street with its open and overdue cases and opens one
// street's queue, where a case reported in that street arrives live; a street's own command
// staff see their street only.
const DISTRICT = `http://127.0.0.1:${Number(process.env.ZHIZHI_E2E_PORT ?? 3100) + 1}`;
test.use({ baseURL: DISTRICT });

test('the district watches its streets; a street sees only its own', async ({ page, browser }) => {
  await loginAs(page, 'quzhihui');
  await expect(page.getByTestId('street-name')).toContainText('全区 · 3 个街道');
  const rows = page.getByTestId('streets-panel').getByTestId('street-row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('streets-panel')).toContainText('小龙坎街道');
  await page.screenshot({ path: 'end2end/test-results/district-streets.png' });

  // 小龙坎's queue: nothing yet.
  await rows.filter({ hasText: '小龙坎街道' }).locator('a').click();
  await expect(page).toHaveURL(/\/board\?street=2$/);
  await page.locator('html[data-hydrated]').waitFor();
  await expect(page.getByTestId('street-scope')).toContainText('小龙坎街道');
  await expect(page.getByTestId('live-status')).toHaveClass(/on/);
  await expect(page.getByTestId('queue-empty')).toBeVisible();

  // 小龙坎's own duty officer: their street's name and grids, no other street.
  const ctx = await browser.newContext({ baseURL: DISTRICT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 768 } });
  const street = await ctx.newPage();
  await loginAs(street, 'zhihui02');
  await expect(street.getByTestId('street-name')).toContainText('小龙坎街道');
  await expect(street.getByTestId('kpi-grids')).toContainText('33');
  await expect(street.getByTestId('streets-panel')).toHaveCount(0);
  // They report a case in their first grid, by its place on the map.
  const areas = await (await street.request.get('/api/v1/map/areas.geojson')).json();
  const grid = areas.features.find((f: any) => f.properties.level === 'grid');
  expect(grid.properties.code).toMatch(/^J02-/);
  const ring: number[][] = grid.geometry.coordinates[0];
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const reported = await apiPost(street, '/api/v1/cases', { category: 'greening.branch', description: '小龙坎：行道树断枝悬挂', lon, lat });
  expect(reported.status()).toBe(201);
  const id = (await reported.json()).case.id;

  // It reaches the district's queue of 小龙坎 at once.
  await expect(page.locator(`[data-testid="case-card"][data-case-id="${id}"]`)).toBeVisible();
  await expect(page.getByTestId('case-list')).toContainText('小龙坎：行道树断枝悬挂');
  await page.screenshot({ path: 'end2end/test-results/district-street-board.png' });

  // 磁器口's duty officer does not see it.
  await street.getByRole('button', { name: '退出' }).click();
  await loginAs(street, 'zhihui');
  const theirs = await (await street.request.get('/api/v1/cases?limit=1000')).json();
  expect(theirs.cases.map((c: any) => c.id)).not.toContain(id);
  expect((await street.request.get(`/api/v1/cases/${id}`)).status()).toBe(404);
  await ctx.close();
});
