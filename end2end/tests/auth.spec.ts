import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';

// Signing in, and each role seeing what it is allowed to see.

test('a visitor without a session is sent to the login page, and wrong passwords are refused in words', async ({ page }) => {
  const res = await page.request.get('/api/v1/summary');
  expect(res.status()).toBe(401);
  expect((await res.json()).error).toBe('请先登录');

  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: '登录智治' })).toBeVisible();
  await page.locator('main.login-screen[data-ready]').waitFor();
  await page.getByLabel('用户名').fill('zhihui');
  await page.getByLabel('密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('login-error')).toContainText('用户名或密码错误');
  await expect(page).toHaveURL(/\/login$/);
});

test('a cross-site form cannot act with the user\'s session', async ({ page }) => {
  await loginAs(page, 'zhihui');
  const forged = await page.request.post('/api/v1/logout', { headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.example' } });
  expect(forged.status()).toBe(403);
  expect((await page.request.get('/api/v1/me')).status()).toBe(200);
});

test('a user changes their password from the user menu, with mistakes explained', async ({ page }) => {
  await loginAs(page, 'zhifa');
  await page.goto('/account/password');
  await expect(page.getByRole('heading', { name: '修改密码' })).toBeVisible();
  await page.locator('html[data-hydrated]').waitFor();
  await page.getByLabel('当前密码').fill('not-my-password');
  await page.getByLabel('新密码', { exact: true }).fill('Another-Password-2027');
  await page.getByLabel('再次输入新密码').fill('Another-Password-2027');
  await page.getByRole('button', { name: '确认修改' }).click();
  await expect(page.getByTestId('password-error')).toContainText('当前密码不正确');
  await page.getByLabel('再次输入新密码').fill('Something-else-2027');
  await page.getByRole('button', { name: '确认修改' }).click();
  await expect(page.getByTestId('password-error')).toContainText('两次输入的新密码不一致');
});
