import { test, expect, devices, Page, Browser } from '@playwright/test';
import { apiPost, loginAs } from './helpers';
import * as fs from 'fs';

// Enterprise supervision. The article's two shops: the analysis lists them at C and D with the
// reason (their trademark dispute); the street records its help (mediation, a subsidised loan),
// market supervision re-grades them with evidence to A and B, the history shows it, and the
// year's random draw is published. Then 综合查一次: 市场监管 files a joint inspection with 消防
// and 综合执法, the district justice bureau approves it, the agencies work their checklists on
// phones, one combined notice, one rectification on time, one overdue and raised on the board,
// the re-inspection closes it.

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const desk = { viewport: { width: 1440, height: 900 }, ...zh };
const phone = { ...devices['Pixel 5'], ...zh };

async function signedIn(browser: Browser, username: string, options: object): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await loginAs(page, username);
  return page;
}

function watch(p: Page, problems: string[]) {
  p.on('pageerror', (e) => problems.push(e.message));
  p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
}

test('the two shops: from the analysis to A and B, with the help and the history; the year\'s draw published', async ({ browser }) => {
  test.setTimeout(180_000);
  const problems: string[] = [];
  const market = await signedIn(browser, 'shijian', desk);
  watch(market, problems);
  await market.goto('/enterprises');
  await expect(market.locator('[data-testid=supervision][data-live]')).toHaveCount(1);
  const rows = market.getByTestId('watch-row');
  await expect(rows.nth(0).getByTestId('grade')).toHaveText('C');
  await expect(rows.nth(1).getByTestId('grade')).toHaveText('D');
  await expect(rows.nth(0)).toContainText('商标纠纷');
  // Every business of the street is a dot: the demo's 1,674 and any an earlier story imported.
  const { enterprises } = await (await market.request.get('/api/v1/summary')).json();
  expect(enterprises).toBeGreaterThanOrEqual(1674);
  await expect(market.getByTestId('ent-dots').locator('circle')).toHaveCount(enterprises);
  await market.screenshot({ path: 'end2end/test-results/supervision-board.png' });
  const names = [await rows.nth(0).getByTestId('watch-name').innerText(), await rows.nth(1).getByTestId('watch-name').innerText()];
  const hrefs = [await rows.nth(0).getByTestId('watch-name').getAttribute('href'), await rows.nth(1).getByTestId('watch-name').getAttribute('href')];

  const help = [['mediation', '调解两家商标纠纷，签订共用老字号协议'], ['loan', '协调银行发放创业担保贴息贷款 20 万元']];
  for (const [i, to] of [[0, 'A'], [1, 'B']] as const) {
    await market.goto(hrefs[i]!);
    await expect(market.locator('[data-testid=enterprise][data-live]')).toHaveCount(1);
    await expect(market.getByTestId('ent-name')).toContainText(names[i]);
    await expect(market.getByTestId('grade-entry')).toHaveCount(1);
    // The help the street gave.
    for (const [kind, note] of help.slice(0, i + 1)) {
      await market.getByTestId(`help-${kind}`).click();
      await market.getByTestId('help-note').fill(note);
      await market.getByTestId('help-save').click();
      await expect(market.getByTestId('help-entry').filter({ hasText: note })).toHaveCount(1);
    }
    // No re-grade without a reason.
    await market.getByTestId('regrade-to').selectOption(to);
    await market.getByTestId('regrade-evidence').fill('调解协议、复查记录');
    await market.getByTestId('regrade-save').click();
    await expect(market.getByTestId('ent-error')).toContainText('理由');
    await market.getByTestId('regrade-reason').fill('商标纠纷化解，经营规范，群众满意');
    await market.getByTestId('regrade-save').click();
    await expect(market.getByTestId('grade-entry')).toHaveCount(2);
    await expect(market.getByTestId('ent-name').getByTestId('grade')).toHaveText(to);
    await expect(market.getByTestId('grade-entry').nth(1)).toContainText('调解协议、复查记录');
    if (i === 1) {
      // At B the analysis points at the D shop's expired food licence; renewed, the flag goes.
      await expect(market.getByTestId('ent-flags')).toContainText('证照已过期');
      const until = new Date(Date.now() + 5 * 365 * 86400_000).toISOString().slice(0, 10);
      await market.getByTestId('licence-number').fill('JY15001060099999');
      await market.getByTestId('licence-until').fill(until);
      await market.getByTestId('licence-save').click();
      await expect(market.getByTestId('licence').filter({ hasText: '食品经营许可证' })).toContainText('有效期至');
      await expect(market.getByTestId('ent-flags')).toHaveCount(0);
    }
  }
  await market.screenshot({ path: 'end2end/test-results/supervision-shop.png', fullPage: true });
  await market.goto('/enterprises');
  await expect(market.locator('[data-testid=supervision][data-live]')).toHaveCount(1);
  for (const name of names) await expect(market.getByTestId('watch-row').filter({ hasText: name })).toHaveCount(0);

  // The year's random draw, then its public page without an account.
  await market.getByTestId('draw-seed').fill('20261203');
  await market.getByTestId('draw-run').click();
  await expect(market.getByTestId('draw-brief')).toContainText('种子 20261203');
  const anon = await (await browser.newContext(desk)).newPage();
  await anon.goto('/gongshi');
  await expect(anon.getByTestId('public-seed')).toContainText('随机种子 20261203');
  expect(await anon.getByTestId('public-target').count()).toBeGreaterThan(100);
  await anon.context().close();
  await market.context().close();
  expect(problems).toEqual([]);
});

test('综合查一次: filed by 市场监管 with two agencies, approved by the district, checked on phones, one notice, one overdue, re-inspected', async ({ browser }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  const market = await signedIn(browser, 'shijian', desk);
  watch(market, problems);
  await market.goto('/enterprises');
  await expect(market.locator('[data-testid=supervision][data-live]')).toHaveCount(1);
  await market.getByTestId('ent-q').fill('记');
  await market.getByTestId('ent-search').click();
  await expect(market.getByTestId('found')).toContainText('找到');
  // What was found goes to Excel whole, the legal representatives masked.
  const exportLink = market.getByTestId('export-enterprises');
  await expect(exportLink).toHaveAttribute('href', '/api/v1/enterprises.xlsx?q=%E8%AE%B0');
  const [download] = await Promise.all([market.waitForEvent('download'), exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^企业商户（「记」）-\d{12}\.xlsx$/);
  const xml = fs.readFileSync(await download.path()).toString('utf8');
  expect(xml).toContain('统一社会信用代码');
  expect(xml).toContain('李记千张');
  expect(xml).toMatch(/\d{3}\*{4}\d{4}/);
  // In full for a stated reason (market supervision may): the mobiles as they are.
  await market.getByTestId('export-plain-toggle').click();
  await market.getByTestId('export-reason').fill('双随机抽查前电话联系商户');
  const [plain] = await Promise.all([market.waitForEvent('download'), market.getByTestId('export-plain').click()]);
  expect(plain.suggestedFilename()).toMatch(/^企业商户（「记」）（明文）-\d{12}\.xlsx$/);
  expect(fs.readFileSync(await plain.path()).toString('utf8')).toMatch(/1[3-9]\d{9}/);
  const first = market.getByTestId('enterprise-row').first().locator('a');
  const shop = await first.innerText();
  await first.click();
  await expect(market.locator('[data-testid=enterprise][data-live]')).toHaveCount(1);
  const shopUrl = market.url();
  await market.getByTestId('file-inspection').click();
  await market.waitForURL(/\/inspections\/\d+$/);
  const url = new URL(market.url()).pathname;
  const id = Number(url.split('/').pop());
  await expect(market.locator('[data-testid=inspection][data-live]')).toHaveCount(1);

  // The lead adds each agency's items from their lists; no item twice.
  for (const [post, item] of [['市场监管', '食品经营许可证'], ['消防救援站', '灭火器配置与有效期'], ['综合执法', '占道经营']]) {
    await market.getByTestId('item-post').selectOption(post);
    await market.getByTestId('item-text').fill(item);
    await market.getByTestId('item-add').click();
    await expect(market.locator(`[data-testid=insp-item][data-item="${item}"]`)).toHaveCount(1);
    // The form is cleared once the add has finished: only then is the next item typed.
    await expect(market.getByTestId('item-text')).toHaveValue('');
  }
  await market.getByTestId('item-post').selectOption('综合执法');
  await market.getByTestId('item-text').fill('灭火器配置与有效期');
  await market.getByTestId('item-add').click();
  await expect(market.getByTestId('insp-error')).toContainText('已由消防救援站检查');
  // Not started without approval.
  const early = await apiPost(market, `/api/v1/inspections/${id}/steps`, { step: 'start' });
  expect(early.status()).toBe(409);
  expect((await early.json()).error).toContain('未经区司法局批准');
  const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86400_000).toISOString().slice(0, 10);
  await market.getByTestId('insp-at').fill(`${tomorrow}T09:30`);
  await market.getByTestId('insp-schedule').click();
  await expect(market.getByTestId('insp-time')).toContainText('09:30');
  await market.getByTestId('insp-submit').click();
  await expect(market.getByTestId('stage').first()).toHaveText('待区司法局审批');

  // The district justice bureau approves.
  const approver = await signedIn(browser, 'qusifaju', desk);
  watch(approver, problems);
  await approver.goto(url);
  // Hydrated and following the inspection: a click before that would fall on a dead button.
  await expect(approver.locator('[data-testid=inspection][data-live]')).toHaveCount(1);
  await approver.getByTestId('insp-approve').click();
  await expect(approver.getByTestId('insp-approved')).toContainText('区司法局审批员');
  await approver.context().close();
  await expect(market.getByTestId('stage').first()).toHaveText('已批准，待检查');
  await market.getByTestId('insp-start').click();
  await expect(market.getByTestId('stage').first()).toHaveText('联合检查中');

  // On site, each agency on its phone.
  const fire = await signedIn(browser, 'xiaofang', phone);
  const law = await signedIn(browser, 'zhifa', phone);
  watch(fire, problems);
  watch(law, problems);
  for (const [p, item, finding] of [[fire, '灭火器配置与有效期', '2 具灭火器过期'], [law, '占道经营', '店外货架占用人行道']] as const) {
    await p.goto(url);
    await expect(p.locator('[data-testid=inspection][data-live]')).toHaveCount(1);
    const card = p.locator(`[data-testid=insp-item][data-item="${item}"]`);
    await card.getByTestId('item-finding').fill(finding);
    await card.getByTestId('item-fail').click();
    await expect(card.getByTestId('item-result')).toHaveText('不合格');
  }
  await fire.screenshot({ path: 'end2end/test-results/supervision-phone-checklist.png', fullPage: true });
  const licence = market.locator('[data-testid=insp-item][data-item="食品经营许可证"]');
  await licence.getByTestId('item-pass').click();
  await expect(licence.getByTestId('item-result')).toHaveText('合格');

  // The combined notice: the extinguishers within a week; the stall in a few seconds (to see it
  // fall overdue without waiting days).
  await expect(market.getByTestId('notice-req')).toHaveCount(2);
  const view = await (await market.request.get(`/api/v1/inspections/${id}`)).json();
  const itemId = (name: string) => view.items.find((t: { item: string }) => t.item === name).id;
  const notice = await apiPost(market, `/api/v1/inspections/${id}/steps`, { step: 'notice', requirements: [
    { item_id: itemId('灭火器配置与有效期'), requirement: '更换过期灭火器', deadline: Date.now() + 7 * 86400_000 },
    { item_id: itemId('占道经营'), requirement: '货架移回店内', deadline: Date.now() + 4_000 },
  ] });
  expect(notice.status()).toBe(200);
  await expect(market.getByTestId('notice-no')).toHaveText(/综查告〔\d{4}〕\d+号/);
  await expect(market.getByTestId('notice')).toContainText('共检查 3 项，其中 2 项不符合要求');
  await market.screenshot({ path: 'end2end/test-results/supervision-notice.png', fullPage: true });

  // The extinguishers are replaced in time.
  const ext = fire.locator('[data-testid=insp-item][data-item="灭火器配置与有效期"]');
  await ext.getByTestId('item-evidence').fill('已更换 2 具灭火器，附照片');
  await ext.getByTestId('item-rectify').click();
  await expect(ext.getByTestId('item-rectified')).toContainText('已更换');
  // The stall is not: once its deadline passes the board raises it.
  await market.goto('/enterprises');
  await expect.poll(async () => {
    await market.reload();
    return market.getByTestId('overdue-item').filter({ hasText: '占道经营' }).count();
  }, { timeout: 30_000 }).toBe(1);
  await expect(market.getByTestId('overdue-item').first()).toContainText(shop);
  await market.screenshot({ path: 'end2end/test-results/supervision-overdue.png' });

  // Late, but done; the re-inspection closes the inspection.
  await law.reload();
  await expect(law.locator('[data-testid=inspection][data-live]')).toHaveCount(1);
  const stall = law.locator('[data-testid=insp-item][data-item="占道经营"]');
  await expect(stall.getByTestId('item-overdue')).toHaveCount(1);
  await stall.getByTestId('item-evidence').fill('货架已移回店内');
  await stall.getByTestId('item-rectify').click();
  await stall.getByTestId('item-recheck-pass').click();
  await expect(stall.getByTestId('item-recheck')).toHaveCount(1);
  await ext.getByTestId('item-recheck-pass').click();
  await expect(fire.getByTestId('stage').first()).toHaveText('已办结');
  await fire.context().close();
  await law.context().close();
  await market.goto(shopUrl);
  await expect(market.getByTestId('visits')).toContainText('其中联合检查 1 次');
  await market.context().close();
  expect(problems).toEqual([]);
});
