import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';

// The grid worker's story, on a phone in the street.

test('a grid worker on a phone sees only their own grid, with personal data masked', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  await expect(page).toHaveURL(/\/my-grid$/);
  await expect(page.getByRole('heading', { name: '我的网格' })).toBeVisible();
  const list = page.getByTestId('resident-list');
  await expect(list.locator('li').first()).toBeVisible();
  // People in care come first; names show only the surname, phones only their ends.
  await expect(list.locator('li').first()).toContainText('独居老人');
  const name = await list.locator('.resident-name').first().textContent();
  expect(name).toMatch(/^\p{Script=Han}\*+$/u);
  const phone = await list.locator('.phone').first().textContent();
  expect(phone).toMatch(/^\d{3}\*{4}\d{4}$/);
  await expect(page.locator('.bottom-nav')).toBeVisible();
  await page.screenshot({ path: 'end2end/test-results/my-grid-phone.png' });

  // Another grid's residents are refused by the server, whatever the page shows.
  const other = await page.request.get('/api/v1/grids/2/residents');
  expect(other.status()).toBe(403);
  const own = await page.request.get('/api/v1/grids/1/residents');
  expect(own.status()).toBe(200);
  // And the command screen is not theirs: they are sent to their grid.
  await page.goto('/');
  await expect(page).toHaveURL(/\/my-grid$/);
});
