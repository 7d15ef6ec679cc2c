import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';

// 人房企: the coordinator looks for the elderly living alone in the old town, shows one of them
// in full for a stated reason, and opens their building.

test('the coordinator finds the elderly living alone, shows one in full for a reason, and opens the building', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await page.locator('.side-nav').getByRole('link', { name: /人房企/ }).click();
  await expect(page).toHaveURL(/\/people$/);
  await expect(page.locator('.side-nav [aria-current=page]')).toContainText('人房企');

  // Living alone, 80 and over: every row says so, masked.
  await page.getByTestId('care-filters').getByRole('link', { name: '独居老人' }).click();
  await page.getByTestId('age-filters').getByRole('link', { name: '80 岁以上' }).click();
  await expect(page).toHaveURL(/care=elderly_alone&age=aged/);
  const rows = page.getByTestId('resident-row');
  // The list follows the address: wait until it shows the filtered search (the youngest 80+).
  const youngest = async () => {
    const ages = (await rows.locator('td:nth-child(3)').allTextContents()).map((a) => Number(a.replace(/\D/g, '')));
    return ages.length ? Math.min(...ages) : -1;
  };
  await expect.poll(youngest).toBeGreaterThanOrEqual(80);
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  await expect(rows.first()).toContainText('独居老人');
  // Those who rent their home, among them: fewer, and the filter is in the address.
  await page.getByTestId('tenure-filters').getByRole('link', { name: '租住' }).click();
  await expect(page).toHaveURL(/tenure=rented/);
  await expect(page.getByTestId('tenure-filters').getByRole('link', { name: '租住' })).toHaveClass(/active/);
  await expect(rows).not.toHaveCount(count);
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeLessThan(count);
  await page.getByTestId('tenure-filters').getByRole('link', { name: '不限' }).click();
  await expect(page).toHaveURL(/tenure=&|tenure=$/);
  await expect(rows).toHaveCount(count);
  const first = rows.first();
  await expect(first.locator('.resident-name')).toHaveText(/^\p{Script=Han}\*+$/u);
  await expect(first.locator('.phone')).toHaveText(/^\d{3}\*{4}\d{4}$/);
  await page.screenshot({ path: 'end2end/test-results/people-search.png' });

  // Shown in full only with a reason; the reveal is audited.
  await first.getByTestId('reveal').click();
  await first.getByTestId('reveal-reason').fill('核');
  await first.getByTestId('reveal-confirm').click();
  await expect(first.locator('.form-error')).toContainText('至少 4 个字');
  await first.getByTestId('reveal-reason').fill('冬季走访独居老人');
  await first.getByTestId('reveal-confirm').click();
  await expect(first.getByTestId('revealed')).toBeVisible();
  await expect(first.locator('.phone')).toHaveText(/^\d{11}$/);
  await expect(first.locator('.id-number')).toHaveText(/^\d{17}[\dX]$/);

  // The search by a phone as shown masked finds the same person.
  const phone = (await first.locator('.phone').textContent())!;
  const masked = `${phone.slice(0, 3)}****${phone.slice(7)}`;
  await page.getByTestId('people-q').fill(masked);
  await page.getByTestId('people-find').click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByTestId('resident-row').filter({ hasText: masked }).first()).toBeVisible();

  // Their own page: the household masked, the door sensor that watches over them, the building.
  await page.getByTestId('resident-row').filter({ hasText: masked }).first().getByTestId('resident-link').click();
  await expect(page).toHaveURL(/\/people\/residents\/\d+$/);
  const household = page.getByTestId('resident-household');
  await expect(household.getByTestId('resident-row').first().locator('.phone')).toHaveText(masked);
  await expect(household).toContainText('独居老人');
  await expect(page.getByTestId('resident-devices').getByTestId('care-device').filter({ hasText: '门磁' }).filter({ hasText: '本人' })).toHaveCount(1);
  await expect(page.getByTestId('building-panel')).toBeVisible();
  await page.screenshot({ path: 'end2end/test-results/people-resident.png' });
  await page.goBack();

  // Their building, on a page of its own: floors, households, masked residents.
  await page.getByTestId('resident-row').first().locator('td:nth-child(7) a').click();
  await expect(page).toHaveURL(/\/people\/buildings\/\d+$/);
  await expect(page.getByTestId('building-panel')).toBeVisible();
  await expect(page.getByTestId('floor-stack').locator('li').first()).toBeVisible();
  await page.screenshot({ path: 'end2end/test-results/people-building.png' });
});
