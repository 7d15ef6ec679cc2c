import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';
import * as fs from 'fs';

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

  // They export their grid's residents: an Excel file, masked — no mobile or identity number
  // anywhere in it.
  const exportLink = page.getByTestId('export-residents');
  await expect(exportLink).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/居民（脱敏）-\d{12}\.xlsx$/);
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
  const xml = bytes.toString('utf8');
  expect(xml).toContain('身份证号');
  expect(xml.match(/\d{11,}/g) ?? []).toEqual([]);
  expect((xml.match(/<row /g) ?? []).length).toBeGreaterThan(100);

  // Unmasked only with a stated reason: the link appears once the reason is long enough, and
  // the file then carries the mobiles.
  await page.getByTestId('export-plain-toggle').click();
  await expect(page.getByTestId('export-plain')).toHaveCount(0);
  await page.getByTestId('export-reason').fill('入户走访核对联系电话');
  await page.getByTestId('export-plain').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'end2end/test-results/my-grid-plain-export.png' });
  const [plain] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-plain').click()]);
  expect(plain.suggestedFilename()).toMatch(/居民（明文）-\d{12}\.xlsx$/);
  const plainXml = fs.readFileSync(await plain.path()).toString('utf8');
  expect((plainXml.match(/1[3-9]\d{9}/g) ?? []).length).toBeGreaterThan(100);

  // Another grid's residents are refused by the server, whatever the page shows.
  const other = await page.request.get('/api/v1/grids/2/residents');
  expect(other.status()).toBe(403);
  const own = await page.request.get('/api/v1/grids/1/residents');
  expect(own.status()).toBe(200);
  // And the command screen is not theirs: they are sent to their grid.
  await page.goto('/');
  await expect(page).toHaveURL(/\/my-grid$/);
});
