import { test, expect } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

test('a grid worker finds their reports and tasks on the phone, with large targets', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  const created = await apiPost(page, '/api/v1/cases', { category: 'environment.litter', description: '垃圾桶满溢，周边有散落垃圾', building_id: 1 });
  expect(created.status()).toBe(201);
  const number = (await created.json()).case.number;
  await page.goto('/m/tasks');
  await expect(page.locator('[data-testid=task-lists][data-live]')).toHaveCount(1);
  await expect(page.getByTestId('my-reports')).toContainText(number.slice(-5));
  const card = page.getByTestId('my-reports').getByTestId('case-card').first();
  const box = await card.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(48);
  await expect(page.getByRole('link', { name: '＋ 上报事件' })).toBeVisible();
  await page.screenshot({ path: 'end2end/test-results/tasks-phone.png', fullPage: true });
  await card.click();
  await expect(page).toHaveURL(/\/cases\/\d+$/);
  await expect(page.getByTestId('case-address')).not.toBeEmpty();
  // No sideways scrolling on the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the report form says what is missing', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  await page.goto('/report');
  await expect(page.locator('form[data-ready]')).toHaveCount(1);
  await page.getByTestId('category').selectOption('greening.branch');
  await page.getByTestId('description').fill('断枝');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('report-error')).toContainText('请选择事件地点');
  await page.getByTestId('building').first().click();
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('report-error')).toContainText('至少 4 个字');
});

test('a resident reports a missing manhole cover without an account and gets a case number', async ({ page }) => {
  await page.goto('/r');
  await expect(page.locator('form[data-ready]')).toHaveCount(1);
  await expect(page).toHaveURL(/\/r$/);
  await page.getByTestId('category').selectOption('environment.manhole');
  await page.getByTestId('description').fill('井盖缺失，晚上很危险');
  await page.getByTestId('address').fill('磁南街2');
  await page.getByTestId('address-option').first().click();
  await expect(page.getByTestId('chosen-place')).toContainText('磁南街');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('public-error')).toContainText('11 位手机号码');
  await page.getByTestId('phone').fill('13912345678');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('receipt-number')).toHaveText(/^SJ\d{8}-\d{5}$/);
  await page.screenshot({ path: 'end2end/test-results/public-report-phone.png', fullPage: true });
});
