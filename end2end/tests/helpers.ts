import { expect, Page } from '@playwright/test';

/** The password of every demo account (see README). */
export const DEMO_PASSWORD = 'Ciqikou-141-demo';

/** Signs in through the login page, as a person would. */
export async function loginAs(page: Page, username: string) {
  await page.goto('/login');
  await page.locator('main.login-screen[data-ready]').waitFor();
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A JSON POST to the API with the page's session, as the page's own scripts would send it. */
export async function apiPost(page: Page, url: string, data: unknown) {
  return page.request.post(url, { data, headers: { 'Sec-Fetch-Site': 'same-origin' } });
}
