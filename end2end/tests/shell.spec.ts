import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, loginAs } from './helpers';

// The command centre shell: rendered on the server, hydrated in the browser, showing the demo
// street's counts as the API reports them.

test('the server renders the command screen before any script runs', async ({ request }) => {
  const login = await request.post('/api/v1/login', { data: { username: 'zhihui', password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  const res = await request.get('/');
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain('基层治理中心');
  expect(html).toContain('磁器口街道');
  expect(html).toContain('四大板块');
});

test('a coordinator sees the street in numbers with their units', async ({ page }) => {
  await loginAs(page, 'zhihui');
  const summary = await (await page.request.get('/api/v1/summary')).json();
  expect(summary.grids).toBe(33);
  expect(summary.micro_grids).toBe(171);

  await page.goto('/');
  await expect(page.getByTestId('kpi-grids')).toContainText('33');
  await expect(page.getByTestId('kpi-grids')).toContainText('个');
  await expect(page.getByTestId('kpi-micro_grids')).toContainText('171');
  const devices = summary.devices.toLocaleString('en-US');
  await expect(page.getByTestId('kpi-devices')).toContainText(devices);
  await expect(page.getByTestId('kpi-devices')).toContainText('台');
  const phe = (summary.residents + summary.households + summary.enterprises).toLocaleString('en-US');
  await expect(page.getByTestId('kpi-phe')).toContainText(phe);
  await expect(page.getByTestId('street-name')).toContainText('沙坪坝区 · 磁器口街道');
  await expect(page.getByRole('heading', { name: '四大板块 · 岗位' })).toBeVisible();
  await expect(page.getByText('综合执法')).toBeVisible();
  // The overview map draws every grid and micro-grid from the database.
  await expect(page.locator('[data-testid=grid-map] polygon.grid')).toHaveCount(summary.grids);
  await expect(page.locator('[data-testid=grid-map] polygon.micro-grid')).toHaveCount(summary.micro_grids);
  await expect(page.locator('[data-testid=grid-map]')).toContainText('磁器口社区');
  await page.screenshot({ path: `end2end/test-results/command-${test.info().project.name}.png`, fullPage: true });
});

test('the page hydrates: the Beijing clock ticks and the language switches', async ({ page }) => {
  // A hydration mismatch shows up as a console error and a wasm panic: there must be none.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await loginAs(page, 'zhihui');
  // The server renders a placeholder; only the hydrated page shows the time.
  await expect(page.getByTestId('clock')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 星期./);

  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { name: 'Street overview' })).toBeVisible();
  await expect(page.getByTestId('lang-switch')).toHaveText('中文');

  // The choice is remembered: the server renders the next visit in English.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Street overview' })).toBeVisible();
  // Click only once the reloaded page has hydrated (the clock shows the time again).
  await expect(page.getByTestId('clock')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (Mon|Tue|Wed|Thu|Fri|Sat|Sun)$/);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { name: '街道概况' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('the layout fits the screen without sideways scrolling', async ({ page, isMobile }) => {
  await loginAs(page, 'zhihui');
  await expect(page.getByTestId('kpi-grids')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  if (isMobile) {
    // Phones get the thumb-reachable bottom bar with large targets instead of the side rail.
    await expect(page.locator('.bottom-nav')).toBeVisible();
    await expect(page.locator('.side-nav')).toBeHidden();
    const box = await page.locator('.bottom-nav .nav-item').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
  } else {
    await expect(page.locator('.side-nav')).toBeVisible();
    await expect(page.locator('.bottom-nav')).toBeHidden();
  }
});

test('an unknown address shows a Chinese 404 with the way back', async ({ page }) => {
  await loginAs(page, 'zhihui');
  const res = await page.goto('/no-such-page');
  expect(res!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await page.getByRole('link', { name: '返回指挥大屏' }).click();
  await expect(page.getByTestId('kpi-grids')).toBeVisible();
});
