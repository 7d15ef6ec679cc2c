import { test, expect, devices, Page } from '@playwright/test';
import { apiPost, loginAs } from './helpers';
import * as fs from 'fs';

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

/** A real JPEG drawn by the browser itself: a branch across a pavement. */
async function photo(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d')!;
    g.fillStyle = '#8a8f96';
    g.fillRect(0, 0, 320, 240);
    g.strokeStyle = '#5b3a1e';
    g.lineWidth = 14;
    g.beginPath();
    g.moveTo(20, 60);
    g.lineTo(300, 180);
    g.stroke();
    return c.toDataURL('image/jpeg', 0.85).split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

test('a broken branch at 磁南街27号: reported on a phone, dispatched in three clicks, handled, verified, closed', async ({ browser }) => {
  // Three browsers, seven pages from three groups of code: longer than one page's story.
  test.setTimeout(90_000);
  const phone = await browser.newContext({ ...devices['Pixel 7'], ...zh });
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const postDesk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const worker = await phone.newPage();
  const coord = await desk.newPage();
  const post = await postDesk.newPage();
  const problems: string[] = [];
  for (const p of [worker, coord, post]) {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('EventSource')) problems.push(m.text()); });
  }

  // The coordinator's board is open and live before anything is reported.
  await loginAs(coord, 'zhihui');
  await coord.goto('/board');
  await expect(coord.getByTestId('live-status')).toHaveClass(/on/);
  await expect(coord.getByTestId('queue-empty')).toBeVisible();

  // The grid worker reports from the phone: category, words, the building, a photo.
  await loginAs(worker, 'wanggeyuan');
  await worker.goto('/report');
  await expect(worker.locator('form[data-ready]')).toHaveCount(1);
  await worker.getByTestId('category').selectOption('greening.branch');
  await worker.getByTestId('description').fill('行道树断枝悬挂在人行道上方，有坠落危险');
  await worker.getByTestId('building-search').fill('27号');
  await worker.getByTestId('building').filter({ hasText: '磁南街27号' }).click();
  await expect(worker.getByTestId('chosen-place')).toContainText('磁南街27号');
  await worker.getByTestId('photo').setInputFiles({ name: 'branch.jpg', mimeType: 'image/jpeg', buffer: await photo(worker) });
  await worker.screenshot({ path: 'end2end/test-results/report-phone.png', fullPage: true });
  await worker.getByTestId('submit').click();
  await expect(worker).toHaveURL(/\/cases\/\d+$/);
  const caseId = worker.url().match(/cases\/(\d+)/)![1];
  await expect(worker.getByTestId('case-state')).toHaveText('待受理');
  await expect(worker.getByTestId('case-photos').locator('img')).toHaveCount(1);
  await expect(worker.getByTestId('dispatch')).toHaveCount(0);

  // It is on the coordinator's board without a reload, highlighted as new.
  const card = coord.locator(`[data-testid=case-card][data-case-id="${caseId}"]`);
  await expect(card).toBeVisible({ timeout: 1000 });
  await expect(card).toHaveClass(/fresh/);
  await expect(card).toContainText('磁南街27号');
  await coord.screenshot({ path: 'end2end/test-results/board-new-case.png' });

  // Three clicks: the case, 派遣, 确认派遣 (城市管理 is suggested and already chosen).
  await card.click();
  await coord.getByTestId('dispatch').click();
  await expect(coord.getByTestId('post-chip').filter({ hasText: '城市管理' })).toHaveAttribute('aria-pressed', 'true');
  await coord.screenshot({ path: 'end2end/test-results/dispatch-dialog.png' });
  await coord.getByTestId('dispatch-confirm').click();
  await expect(coord.getByTestId('case-state')).toHaveText('已派遣');
  await expect(coord.getByTestId('task')).toContainText('城市管理');

  // 城市管理 handles it from its inbox.
  await loginAs(post, 'chengguan');
  await expect(post).toHaveURL(/\/board$/);
  await expect(post.getByTestId('live-status')).toHaveClass(/on/);
  await post.locator(`[data-testid=case-card][data-case-id="${caseId}"]`).click();
  await post.getByTestId('accept-task').click();
  await expect(post.getByTestId('case-state')).toHaveText('处置中');
  await post.getByTestId('report-back').click();
  await post.getByTestId('action-text').fill('断枝已锯除并清运，人行道恢复通行');
  await post.getByTestId('action-submit').click();
  await expect(post.getByTestId('case-state')).toHaveText('待核查');

  // The coordinator's open detail follows live; verify and close.
  await expect(coord.getByTestId('case-state')).toHaveText('待核查');
  await coord.getByTestId('verify').click();
  await expect(coord.getByTestId('case-state')).toHaveText('待结案');
  await coord.getByTestId('close').click();
  await coord.getByTestId('action-text').fill('现场已恢复，群众满意');
  await coord.getByTestId('action-submit').click();
  await expect(coord.getByTestId('case-state')).toHaveText('已结案');

  // The grid worker's page shows it closed without a reload, with every step, who and when.
  await expect(worker.getByTestId('case-state')).toHaveText('已结案');
  const steps = worker.getByTestId('step');
  expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual([
    'report', 'attach', 'accept', 'register', 'dispatch', 'accept_task', 'report_back', 'verify', 'close',
  ]);
  await expect(steps.nth(0)).toContainText('磁南街网格员');
  await expect(steps.nth(4)).toContainText('指挥中心值班员');
  await expect(steps.nth(4)).toContainText('城市管理');
  await expect(steps.nth(6)).toContainText('断枝已锯除并清运');
  await expect(steps.nth(8)).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  await worker.screenshot({ path: 'end2end/test-results/case-closed-phone.png', fullPage: true });
  await coord.screenshot({ path: 'end2end/test-results/board-closed.png' });
  expect(problems).toEqual([]);
  await phone.close();
  await desk.close();
  await postDesk.close();
});

test('refusals are explained on the board and change nothing', async ({ page }) => {
  await loginAs(page, 'zhihui');
  const created = await apiPost(page, '/api/v1/cases', { category: 'order.stall', description: '早市摊点占用人行道', building_id: 1 });
  expect(created.status()).toBe(201);
  const id = (await created.json()).case.id;
  await page.goto('/board');
  await expect(page.getByTestId('live-status')).toHaveClass(/on/);
  await page.locator(`[data-testid=case-card][data-case-id="${id}"]`).click();
  await page.getByTestId('reject').click();
  await page.getByTestId('action-submit').click();
  await expect(page.getByTestId('action-error')).toContainText('请填写不予立案的理由');
  await expect(page.getByTestId('case-state')).toHaveText('待受理');
  // Filters: the case is waiting for dispatch, not in handling.
  await page.getByTestId('chip-handling').click();
  await expect(page.locator(`[data-case-id="${id}"]`)).toHaveCount(0);
  await page.getByTestId('chip-todispatch').click();
  await expect(page.locator(`[data-case-id="${id}"]`)).toBeVisible();
  // The export follows the filter: the cases waiting for dispatch, this one among them.
  const exportLink = page.getByTestId('export-cases');
  await expect(exportLink).toHaveAttribute('href', '/api/v1/cases.xlsx?state=reported,accepted,registered');
  const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^事件（状态 reported,accepted,registered）-\d{12}\.xlsx$/);
  const xml = fs.readFileSync(await download.path()).toString('utf8');
  expect(xml).toContain('早市摊点占用人行道');
  expect(xml).toContain('待受理');
  expect(xml).not.toContain('已结案');
});
