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

/** A camera reports 80 people: the AI crowd alert. The camera at the old-town gate (the demo's
 * first), or with `grids` the first in one of them without an open alarm (whose alert opens a
 * case of its own). `bearer` is an ingest token's header value; `tag` makes the message id
 * unique. */
export async function crowdAlert(admin: Page, bearer: string, tag: string, grids?: number[]) {
  const cameras = (await (await admin.request.get('/api/v1/devices?kind=camera&limit=1000')).json()).devices
    .sort((a: any, b: any) => a.id - b.id)
    .filter((c: any) => !grids || (grids.includes(c.grid_id) && c.open_alarms.length === 0));
  const camera = cameras[0];
  const now = Date.now();
  const sent = await admin.request.post('/api/v1/ingest', {
    data: [{ device_id: camera.code, msg_id: `e2e-${tag}-${now}`, ts: now, kind: 'ai_event', payload: { event: 'crowd', confidence: 0.93, count: 80 } }],
    headers: { Authorization: bearer },
  });
  expect(sent.status()).toBe(200);
  return camera;
}
