import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';

// An administrator manages accounts and reads the audit log; nobody else can.

test('an administrator creates a grid worker under the password policy and finds it in the audit log', async ({ page }) => {
  await loginAs(page, 'guanliyuan');
  await page.locator('.side-nav').getByRole('link', { name: /系统管理/ }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  // One area is current: the administration, not the grid editor that lives under /admin too.
  await expect(page.locator('.side-nav [aria-current=page]')).toHaveCount(1);
  await expect(page.locator('.side-nav [aria-current=page]')).toContainText('系统管理');
  await expect(page.getByTestId('users-table')).toContainText('wanggeyuan');

  const form = page.locator('form.grid-form');
  await form.getByLabel('用户名').fill('liwei');
  await form.getByLabel('姓名').fill('李伟');
  await form.getByLabel('初始密码').fill('short');
  await form.getByLabel('角色').selectOption('grid_worker');
  await form.getByLabel('负责网格（网格员）').fill('CQK-02-01');
  await form.getByRole('button', { name: '创建' }).click();
  await expect(page.getByTestId('create-error')).toContainText('密码至少需要 12 个字符');
  // The server named the field: the form marks it, and only it.
  await expect(form.getByLabel('初始密码')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('用户名')).toHaveAttribute('aria-invalid', 'false');

  await form.getByLabel('初始密码').fill('Jialing-River-2026');
  await form.getByRole('button', { name: '创建' }).click();
  await expect(page.getByTestId('create-ok')).toContainText('已创建账号 liwei（李伟）');
  await expect(page.getByTestId('users-table')).toContainText('李伟');

  // Disabling the new account is one click, and shows at once.
  await page.getByTestId('toggle-liwei').click();
  await expect(page.getByTestId('users-table').locator('tr', { hasText: 'liwei' })).toContainText('已停用');

  await page.getByRole('link', { name: '审计日志' }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await page.getByTestId('filter-action').selectOption('user_create');
  await expect(page.getByTestId('audit-table')).toContainText('user:liwei');
  await page.getByTestId('verify').click();
  await expect(page.getByTestId('verdict')).toContainText('审计链完整');
  await page.screenshot({ path: 'end2end/test-results/admin-audit.png' });
});

test('an administrator issues an Open311 key to an integration, which reports with it until the key is revoked', async ({ page }) => {
  await loginAs(page, 'guanliyuan');
  await page.goto('/admin/keys');
  await expect(page.locator('[data-testid=key-form][data-ready]')).toHaveCount(1);
  await page.getByTestId('key-name').fill('市民通 App');
  await expect(page.getByTestId('scope-open311')).toBeChecked();
  await page.getByTestId('key-create').click();
  const key = (await page.getByTestId('key-value').textContent())!;
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  const row = page.getByTestId('key-row').filter({ hasText: '市民通 App' });
  await expect(row).toContainText('Open311 居民上报接口');
  await page.screenshot({ path: 'end2end/test-results/admin-keys.png' });

  // The integration reports a stall with the key (a client of its own: no session).
  const integration = await page.context().browser()!.newContext();
  const post = (k: string) => integration.request.post('/open311/v2/requests.json', {
    form: { api_key: k, service_code: 'order.stall', address_string: '磁南街27号', description: '门口占道经营，影响通行' },
  });
  const first = await post(key);
  expect(first.status()).toBe(200);
  const number = (await first.json())[0].service_request_id;
  expect(number).toMatch(/^SJ\d{8}-\d{5}$/);
  // (The command centre declines the test report, so that the board is empty for the stories after.)
  const staff = await page.context().browser()!.newContext();
  const command = await staff.newPage();
  await loginAs(command, 'zhihui');
  const listed = await (await command.request.get('/api/v1/cases?limit=50')).json();
  const id = listed.cases.find((c: { number: string }) => c.number === number).id;
  const declined = await command.request.post(`/api/v1/cases/${id}/actions`, { data: { action: 'reject', reason: '测试数据，不予立案' }, headers: { 'Sec-Fetch-Site': 'same-origin' } });
  expect(declined.status()).toBe(200);
  await staff.close();

  await row.getByTestId('key-revoke').click();
  await expect(row).toHaveAttribute('data-revoked', '1');
  await expect(row).toContainText('已吊销');
  const refused = await post(key);
  expect(refused.status()).toBe(403);
  expect((await refused.json())[0].code).toBe(403);
  await integration.close();
});

test('command staff cannot open the administration pages', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await page.goto('/admin/users');
  await expect(page.getByRole('alert')).toContainText('仅系统管理员可以访问此页面');
  const res = await page.request.get('/api/v1/users');
  expect(res.status()).toBe(403);
});
