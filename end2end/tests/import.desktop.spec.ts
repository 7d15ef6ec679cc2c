import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';
import * as fs from 'fs';

// An administrator brings the street's own residents in from a spreadsheet: the template,
// a file with a mistake (refused, nothing written, the row named), the corrected file (preview,
// confirm, written), and the grid worker finds the new residents on their phone list.

/** An identity number's check character (GB 11643, ISO 7064 MOD 11-2). */
function idNumber(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body17 + '10X98765432'[sum % 11];
}

test('an administrator imports residents from the template, and the grid worker finds them', async ({ page, browser }) => {
  await loginAs(page, 'guanliyuan');
  await page.goto('/admin/import');
  await expect(page.locator('[data-testid=import-form][data-ready]')).toHaveCount(1);
  await expect(page.getByRole('link', { name: '数据导入' })).toHaveClass(/active/);

  // The template: Chinese headers, required ones starred, one example row with a building of
  // this street as its address.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-template').click()]);
  expect(download.suggestedFilename()).toBe('居民导入模板.xlsx');
  const xml = fs.readFileSync(await download.path()).toString('utf8');
  const texts = [...xml.matchAll(/<t xml:space="preserve">([^<]*)<\/t>/g)].map((m) => m[1]);
  const headers = texts.slice(0, 9);
  expect(headers.slice(0, 3)).toEqual(['姓名*', '身份证号*', '性别']);
  const address = texts[9 + headers.indexOf('地址*')];
  expect(address).toMatch(/号$/);

  // Filled in: three residents of one new household, all in care. Columns in the template's
  // order, the example row replaced.
  const people = ['鲜一', '鲜二', '鲜三'].map((name, i) => {
    const row: Record<string, string> = {
      '姓名*': name, '身份证号*': idNumber(`5001071950010${i + 1}00${i + 1}`), '联系电话': `1390000000${i + 1}`,
      '地址*': address, '房号*': '1-188', '关爱标签': '独居老人',
    };
    return headers.map((h) => row[h] ?? '');
  });
  const csv = (rows: string[][]) => Buffer.from([headers, ...rows].map((r) => r.join(',')).join('\n') + '\n');
  const upload = async (rows: string[][]) => {
    await page.getByTestId('import-file').setInputFiles({ name: '磁器口居民.csv', mimeType: 'text/csv', buffer: csv(rows) });
    await page.getByTestId('import-upload').click();
  };

  // A wrong check character in the second resident: refused, named, nothing to confirm.
  const wrong = people.map((r) => [...r]);
  const idAt = headers.indexOf('身份证号*');
  wrong[1][idAt] = wrong[1][idAt].slice(0, 17) + (wrong[1][idAt].endsWith('1') ? '2' : '1');
  await upload(wrong);
  const job = page.getByTestId('import-job');
  await expect(job).toHaveAttribute('data-stage', 'ready');
  await expect(page).toHaveURL(/\/admin\/import\?job=/);
  await expect(page.getByTestId('import-refusals')).toHaveText('第 3 行：身份证号校验位错误');
  await expect(page.getByTestId('preview-refused')).toHaveText('1 行');
  await expect(page.getByTestId('import-confirm')).toHaveCount(0);
  await expect(page.getByTestId('import-jobs')).toContainText('1 行未通过，未写入');

  // Corrected: the preview, the progress bar, confirm, written.
  await upload(people);
  await expect(page.getByTestId('preview-new')).toHaveText('3 人');
  await expect(page.getByTestId('preview-refused')).toHaveText('0 行');
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await expect(page.getByTestId('import-stage')).toContainText('待确认 50%');
  await page.screenshot({ path: 'end2end/test-results/import-preview.png' });
  await page.getByTestId('import-confirm').click();
  await expect(job).toHaveAttribute('data-stage', 'done');
  await expect(page.getByTestId('import-done')).toBeVisible();
  await expect(page.getByTestId('import-stage')).toContainText('已导入 100%');
  await expect(page.getByTestId('import-jobs').locator('tbody tr')).toHaveCount(2);
  await page.screenshot({ path: 'end2end/test-results/import-done.png' });

  // The page can be left and opened again: the job is in the address.
  await page.reload();
  await expect(page.getByTestId('import-job')).toHaveAttribute('data-stage', 'done');

  // The grid worker sees them in their list, masked.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const worker = await phone.newPage();
  await loginAs(worker, 'wanggeyuan');
  const mine = worker.getByTestId('resident-list').locator('li', { hasText: '1-188' });
  await expect(mine).toHaveCount(3);
  await expect(mine.first()).toContainText('鲜*');
  await expect(mine.first()).toContainText('独居老人');
  await expect(mine.first()).not.toContainText('13900000001');
  await phone.close();
});

/** A unified social credit code's check character (GB 32100-2015). */
function creditCode(body17: string): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body17].reduce((s, c, i) => s + chars.indexOf(c) * weights[i], 0);
  return body17 + chars[(31 - (sum % 31)) % 31];
}

test('an administrator imports businesses with a licence, and supervision finds them by sector', async ({ page }) => {
  await loginAs(page, 'guanliyuan');
  await page.goto('/admin/import?kind=enterprises');
  await expect(page.locator('[data-testid=import-form][data-ready]')).toHaveCount(1);
  await expect(page.getByTestId('import-kind-enterprises')).toHaveAttribute('aria-checked', 'true');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-template').click()]);
  expect(download.suggestedFilename()).toBe('企业商户导入模板.xlsx');
  const xml = fs.readFileSync(await download.path()).toString('utf8');
  const texts = [...xml.matchAll(/<t xml:space="preserve">([^<]*)<\/t>/g)].map((m) => m[1]);
  const headers = texts.slice(0, 10);
  expect(headers.slice(0, 4)).toEqual(['企业名称*', '统一社会信用代码*', '行业*', '地址*']);
  const address = texts[10 + headers.indexOf('地址*')];

  const shops = [['磁器口鲜漆器坊', '92500104MA6E2E2E1', '食品经营许可证'], ['磁器口鲜糖画铺', '92500104MA6E2E2E2', '']].map(([name, body, licence]) => {
    const row: Record<string, string> = {
      '企业名称*': name, '统一社会信用代码*': creditCode(body), '行业*': '非遗工坊', '地址*': address, '联系人*': '鲜师傅',
      '联系电话*': '13900001111', '许可证名称': licence, '许可证编号': licence ? 'JY25001049999' : '', '许可证有效期至': licence ? '2027-06-30' : '',
    };
    return headers.map((h) => row[h] ?? '');
  });
  const csv = Buffer.from([headers, ...shops].map((r) => r.join(',')).join('\n') + '\n');
  await page.getByTestId('import-file').setInputFiles({ name: '非遗商户.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByTestId('import-upload').click();
  await expect(page.getByTestId('preview-new')).toHaveText('2 家');
  await expect(page.getByTestId('preview-refused')).toHaveText('0 行');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-job')).toHaveAttribute('data-stage', 'done');
  await page.screenshot({ path: 'end2end/test-results/import-enterprises.png' });

  // Market supervision finds them by their sector; the licence is on the business's page.
  await page.goto('/enterprises');
  await expect(page.locator('[data-testid=supervision][data-live]')).toHaveCount(1);
  await page.getByTestId('ent-sector').selectOption('非遗工坊');
  await page.getByTestId('ent-search').click();
  await expect(page.getByTestId('found')).toHaveText('找到 2 家');
  await page.getByRole('link', { name: '磁器口鲜漆器坊' }).click();
  await expect(page.getByText('JY25001049999')).toBeVisible();
});
