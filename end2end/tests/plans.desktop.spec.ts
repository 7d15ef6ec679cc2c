import { test, expect, devices, Page, Browser } from '@playwright/test';
import { apiPost, crowdAlert, loginAs } from './helpers';

// The 28 March story: a camera sees a crowd at the old-town gate, the grid worker confirms it
// on the phone, the centre activates the tourism dispute plan from the case in three clicks,
// six posts find their tasks in their inboxes without reloading, the district answers its
// items, every task is reported back, the response stands down and the review shows the times.

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const desktop = { viewport: { width: 1366, height: 768 }, ...zh };
const POSTS: [string, string][] = [
  ['xuanchuan', '宣传统战'], ['chengguan', '城市管理'], ['zhifa', '综合执法'],
  ['shijian', '市场监管'], ['wenlv', '文旅服务'], ['minjing', '派出所'],
];

/** A page of its own (own cookies) signed in as `username`. */
async function signedIn(browser: Browser, username: string, options: object = desktop): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await loginAs(page, username);
  return page;
}

/** A photo of the crowd, drawn by the browser itself. */
async function photo(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d')!;
    g.fillStyle = '#6d7a86';
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#2a2f36';
    for (let i = 0; i < 80; i++) g.fillRect((i * 37) % 300, 60 + ((i * 53) % 150), 8, 18);
    return c.toDataURL('image/jpeg', 0.85).split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

test('28 March: the crowd alert becomes the tourism dispute plan, six posts and the district work it, stand-down and review', async ({ browser }) => {
  test.setTimeout(180_000);
  const admin = await signedIn(browser, 'guanliyuan');
  const token = await apiPost(admin, '/api/v1/tokens', { name: 'e2e-camera-ai', scopes: ['ingest'] });
  expect(token.status()).toBe(201);
  const bearer = `Bearer ${(await token.json()).token}`;

  const coord = await signedIn(browser, 'zhihui');
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
    // A failed request is recorded with its address by the response listener below; the
    // console's own line for it (no address) is left out.
    p.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('EventSource') && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
  };
  watch(coord);
  await coord.goto('/board');
  await expect(coord.getByTestId('live-status')).toHaveClass(/on/);

  // Six post inboxes are open and live before anything happens.
  const posts: Page[] = [];
  for (const [user] of POSTS) {
    const p = await signedIn(browser, user);
    watch(p);
    await p.goto('/board');
    await expect(p.getByTestId('live-status')).toHaveClass(/on/);
    posts.push(p);
  }

  // The camera at the old-town gate reports 80 people (the simulator's crowd story).
  const camera = await crowdAlert(admin, bearer, 'crowd');
  const card = coord.getByTestId('case-card').filter({ hasText: '人员聚集' }).first();
  await expect(card).toBeVisible({ timeout: 5000 });
  const caseId = Number(await card.getAttribute('data-case-id'));

  // The coordinator asks the grid worker to confirm; on the phone: check in, a photo, 「属实」.
  const detail = await (await coord.request.get(`/api/v1/cases/${caseId}`)).json();
  const d = await apiPost(coord, `/api/v1/cases/${caseId}/actions`, { action: 'dispatch', holders: [{ kind: 'grid', id: detail.case.grid_id }], note: '请就近核实', version: detail.case.version });
  expect(d.status()).toBe(200);
  const worker = await signedIn(browser, 'wanggeyuan', { ...devices['Pixel 7'], ...zh, geolocation: { latitude: camera.lat, longitude: camera.lon }, permissions: ['geolocation'] });
  watch(worker);
  await worker.goto(`/cases/${caseId}`);
  await expect(worker.locator('[data-testid=case-page][data-live]')).toHaveCount(1);
  await worker.getByTestId('check-in').click();
  await expect(worker.getByTestId('case-state')).toHaveText('处置中');
  await worker.getByTestId('report-back').click();
  await worker.getByTestId('action-text').fill('属实，现场约 80 人围观商户与游客争执');
  await worker.getByTestId('action-photo').setInputFiles({ name: 'crowd.jpg', mimeType: 'image/jpeg', buffer: await photo(worker) });
  await worker.getByTestId('action-submit').click();
  await expect(worker.getByTestId('case-state')).toHaveText('待核查');

  // Three clicks on the board: the case, 启动预案, 确认启动 (the matching plan is chosen at Ⅳ).
  await card.click();
  await expect(coord.getByTestId('case-state')).toHaveText('待核查');
  await coord.getByTestId('activate-plan').click();
  const chosen = coord.getByTestId('plan-choice').filter({ hasText: '重大旅游消费纠纷处置预案' });
  await expect(chosen.locator('button.plan-pick')).toHaveAttribute('aria-pressed', 'true');
  await expect(coord.getByTestId('confirm-activation')).toHaveText('确认启动 Ⅳ级响应');
  await coord.screenshot({ path: 'end2end/test-results/plan-dialog.png' });
  await coord.getByTestId('confirm-activation').click();
  await expect(coord).toHaveURL(/\/activations\/\d+$/, { timeout: 15_000 });
  await expect(coord.locator('[data-testid=incident][data-live]')).toHaveCount(1, { timeout: 15_000 });
  await expect(coord.getByTestId('incident-level')).toHaveText('Ⅳ级');
  await expect(coord.getByTestId('incident-tasks').getByTestId('incident-task')).toHaveCount(6);
  await expect(coord.getByTestId('district-items').getByTestId('incident-task')).toHaveCount(3);
  await expect(coord.getByTestId('drill-banner')).toHaveCount(0);
  // The place on the map, framed around the incident.
  await expect(coord.locator('[data-testid=incident-map] [data-testid=district-map].ready')).toBeVisible({ timeout: 20_000 });
  await coord.screenshot({ path: 'end2end/test-results/incident-activated.png' });

  // Every post's inbox shows the case with its own instruction, without a reload.
  for (let i = 0; i < posts.length; i++) {
    const c = posts[i].locator(`[data-testid=case-card][data-case-id="${caseId}"]`);
    await expect(c, POSTS[i][1]).toBeVisible({ timeout: 5000 });
    await expect(c.getByTestId('plan-badge')).toHaveText('预案 Ⅳ级');
  }
  // 城市管理 works its task on the screen; the others through the API, as their apps would.
  const city = posts[1];
  await city.locator(`[data-testid=case-card][data-case-id="${caseId}"]`).click();
  const cityTask = city.getByTestId('task').filter({ hasText: '疏散围观人员' });
  await expect(cityTask.getByTestId('instruction')).toContainText('疏散围观人员');
  await city.screenshot({ path: 'end2end/test-results/plan-post-inbox.png' });
  await cityTask.getByTestId('accept-task').click();
  await expect(city.getByTestId('task').filter({ hasText: '疏散围观人员' })).toHaveClass(/ts-accepted/);
  // The post ticks its checklist as it works; the incident view counts the ticks live.
  const checks = city.getByTestId('task').filter({ hasText: '疏散围观人员' }).getByTestId('check-item');
  await expect(checks).toHaveCount(2);
  await checks.nth(0).locator('input').check();
  await expect(checks.nth(0)).toHaveAttribute('data-done', 'true');
  await checks.nth(1).locator('input').check();
  await expect(city.getByTestId('task').filter({ hasText: '疏散围观人员' }).getByTestId('checklist-progress')).toHaveText('检查项 2/2');
  await expect(coord.getByTestId('incident-task').filter({ hasText: '城市管理' }).getByTestId('check-count')).toHaveText('检查项 2/2');
  await expect(coord.getByTestId('incident-task').filter({ hasText: '派出所' }).getByTestId('check-count')).toHaveText('检查项 0/2');
  await city.getByTestId('task').filter({ hasText: '疏散围观人员' }).getByTestId('report-back').click();
  await city.getByTestId('action-text').fill('围观人员已疏散，通道恢复');
  await city.getByTestId('action-submit').click();
  await expect(city.getByTestId('task').filter({ hasText: '疏散围观人员' })).toHaveClass(/ts-done/);
  const activation = Number(coord.url().match(/activations\/(\d+)/)![1]);
  const view = await (await coord.request.get(`/api/v1/activations/${activation}`)).json();
  for (let i = 0; i < posts.length; i++) {
    if (i === 1) continue;
    const task = view.tasks.find((t: any) => t.holder_name === POSTS[i][1]);
    expect((await apiPost(posts[i], `/api/v1/cases/${caseId}/actions`, { action: 'accept_task', task_id: task.task_id })).status()).toBe(200);
    expect((await apiPost(posts[i], `/api/v1/cases/${caseId}/actions`, { action: 'report_back', task_id: task.task_id, note: '已完成' })).status()).toBe(200);
  }

  // The district finds the case in its list and answers its three items.
  const district = await signedIn(browser, 'quchengyun');
  watch(district);
  await district.goto('/board');
  await expect(district.locator(`[data-testid=case-card][data-case-id="${caseId}"]`)).toBeVisible();
  for (const item of view.tasks.filter((t: any) => t.holder.kind === 'district')) {
    expect((await apiPost(district, `/api/v1/cases/${caseId}/actions`, { action: 'accept_task', task_id: item.task_id })).status()).toBe(200);
    expect((await apiPost(district, `/api/v1/cases/${caseId}/actions`, { action: 'report_back', task_id: item.task_id, note: '区市场监管局已受理' })).status()).toBe(200);
  }

  // The incident view follows: every task done, then stand down and review.
  await expect(coord.getByTestId('task-progress')).toHaveText(/^\s*6\/6\s*$/);
  await expect(coord.getByTestId('district-items').locator('[data-state=done]')).toHaveCount(3);
  await coord.getByTestId('stand-down').click();
  await expect(coord.locator('[data-testid=incident][data-state=stood_down]')).toHaveCount(1);
  await expect(coord.getByTestId('review-row')).toHaveCount(9);
  await coord.getByTestId('lessons').fill('舆情搜索应在启动后 10 分钟内完成首报');
  await coord.getByTestId('save-review').click();
  await expect(coord.getByTestId('lessons-text')).toHaveText('舆情搜索应在启动后 10 分钟内完成首报');
  await coord.screenshot({ path: 'end2end/test-results/incident-review.png', fullPage: true });

  // A drill of the same plan, started from the plan library at a building: its own case, marked
  // as a drill on its incident view and in the list, beside the real response.
  await coord.goto('/plans');
  await coord.locator('html[data-hydrated]').waitFor();
  const tourism = coord.getByTestId('plan-card').filter({ hasText: '重大旅游消费纠纷处置预案' });
  await tourism.getByTestId('start-drill').click();
  await tourism.getByTestId('drill-place').fill('磁南街27号');
  await tourism.getByTestId('drill-building').first().click();
  await expect(coord).toHaveURL(/\/activations\/\d+$/, { timeout: 15_000 });
  await expect(coord.getByTestId('drill-banner')).toBeVisible();
  expect(Number(coord.url().match(/activations\/(\d+)/)![1])).not.toBe(activation);
  await expect(coord.getByTestId('incident-case')).not.toHaveText(detail.case.number);
  await coord.goto('/plans');
  // (The flood story before this one left its own, stood-down response in the list.)
  const tourismItems = coord.getByTestId('activation-item').filter({ hasText: '重大旅游消费纠纷处置预案' });
  await expect(tourismItems).toHaveCount(2);
  await expect(tourismItems.filter({ hasText: '演练' })).toHaveCount(1);
  await coord.screenshot({ path: 'end2end/test-results/plans-library.png' });
  // The board counts real cases only: the drill has a chip of its own.
  await coord.goto('/board');
  await expect(coord.getByTestId('chip-drill')).toBeVisible();
  await expect(coord.getByTestId('chip-drill').locator('.chip-count')).toHaveText('1');

  // The administrator revises the plan: a refusal names what is wrong and saves nothing; the
  // saved revision is the plan's next version, and the running drill keeps the version it used.
  watch(admin);
  await admin.goto('/plans');
  await admin.getByTestId('plan-card').filter({ hasText: '重大旅游消费纠纷处置预案' }).getByTestId('edit-plan').click();
  await expect(admin).toHaveURL(/\/plans\/\d+\/edit$/);
  await admin.locator('html[data-hydrated]').waitFor();
  const editor = admin.getByTestId('plan-editor');
  await expect(editor.locator('[data-testid=level-edit][data-level=iv] [data-testid=task-edit]')).toHaveCount(6);
  await expect(editor.locator('[data-testid=level-edit][data-level=iv] [data-testid=district-edit]')).toHaveCount(3);
  await editor.getByTestId('plan-name').fill('');
  await editor.getByTestId('save-plan').click();
  await expect(editor.getByTestId('plan-error')).toHaveText('预案名称应为 2–60 个字');
  // The refusal answers 422 (not a server error): nothing joins `problems`.
  await editor.getByTestId('plan-name').fill('重大旅游消费纠纷处置预案');
  const police = editor.locator('[data-testid=task-edit][data-target=派出所]');
  await police.getByTestId('task-checklist').fill('民警到场\n劝离滋事人员\n执法记录仪全程记录');
  await police.getByTestId('task-due').fill('10');
  await admin.screenshot({ path: 'end2end/test-results/plan-editor.png', fullPage: true });
  await editor.getByTestId('save-plan').click();
  await expect(admin).toHaveURL(/\/plans(#plan-\d+)?$/);
  const revised = admin.getByTestId('plan-card').filter({ hasText: '重大旅游消费纠纷处置预案' });
  await expect(revised.getByTestId('plan-version')).toContainText('第 2 版');
  await expect(revised).toContainText('（10 分钟）');
  expect(problems).toEqual([]);
});
