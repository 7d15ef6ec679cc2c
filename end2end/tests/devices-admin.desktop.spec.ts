import { test, expect, Page } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

/** A door sensor of the demo that watches over a resident living alone. */
async function careSensor(page: Page) {
  const list = await (await page.request.get('/api/v1/devices?kind=door_sensor&limit=1000')).json();
  // The last one: the IoT story takes the first in its grid worker's grid.
  const sensor = list.devices.filter((d: any) => (d.resident ?? '').includes('独居老人') && d.household_id && d.floor).at(-1);
  expect(sensor, 'a door sensor watching over a resident living alone').toBeTruthy();
  return sensor;
}

test('the administrator registers a door sensor for a resident living alone, sets the care limit, issues its secret and retires it', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await loginAs(page, 'guanliyuan');
  const model = await careSensor(page);
  const building = model.address.split(' ')[0];
  const code = `MC-E2E-${Date.now() % 1_000_000}`;

  await page.goto('/devices');
  await page.locator('html[data-hydrated]').waitFor();
  await page.getByTestId('device-new').click();
  const form = page.locator('[data-testid=device-form][data-ready]');
  await expect(form).toBeVisible();
  await page.getByTestId('device-code').fill(code);
  await page.getByTestId('device-kind').selectOption('door_sensor');
  await page.getByTestId('device-model').fill('MC-NB-200');
  await page.getByTestId('device-profile').selectOption('door-care');
  await page.getByTestId('device-building-search').fill(building);
  await page.locator(`[data-testid=device-building-option][data-building-id="${model.building_id}"]`).click();
  await expect(page.getByTestId('device-building')).toHaveText(building);
  // Floors, households and residents come from the building.
  await expect(page.getByTestId('device-floor').locator('option')).not.toHaveCount(1);
  await page.getByTestId('device-floor').selectOption(String(model.floor));
  await page.getByTestId('device-household').selectOption(String(model.household_id));
  const resident = page.getByTestId('device-resident');
  await expect(resident.locator('option', { hasText: '独居老人' }).first()).toBeAttached();
  await resident.selectOption(String(model.resident_id));
  await expect(resident.locator('option:checked')).toContainText('*');
  await page.screenshot({ path: 'end2end/test-results/device-register.png' });
  await page.getByTestId('device-save').click();

  // The device's page: where it is, whom it watches over (masked) and the care limit.
  await expect(page).toHaveURL(/\/devices\/\d+$/);
  const card = page.getByTestId('device-card');
  await expect(card).toContainText(code);
  // The same door as the model sensor: building and door number.
  await expect(card).toContainText(model.address);
  await expect(card).toContainText('独居老人');
  await expect(page.getByTestId('care-limit')).toHaveText('24 小时未开门即告警');
  await expect(card).toContainText('未接入');

  const admin = page.locator('[data-testid=device-admin][data-ready]');
  await expect(admin).toBeVisible();
  await page.getByTestId('care-hours-input').fill('36');
  await page.getByTestId('care-hours').getByRole('button').click();
  await expect(page.getByTestId('device-admin-message')).toHaveText('已保存关爱告警时长。');
  await expect(page.getByTestId('care-limit')).toHaveText('36 小时未开门即告警');
  // The limit is the resident's: the older sensor on the same door follows it.
  const older = await (await page.request.get(`/api/v1/devices/${model.id}`)).json();
  expect(older.device.absence_hours).toBe(36);
  await apiPost(page, `/api/v1/residents/${model.resident_id}/absence-hours`, { hours: null });

  // Its own secret, shown once, lets the sensor send as itself.
  await page.locator('[data-testid=device-admin][data-ready]').getByTestId('device-secret-issue').click();
  const secret = (await page.getByTestId('device-secret').textContent())!.trim();
  expect(secret.length).toBeGreaterThan(20);
  const sent = await page.request.post('/api/v1/ingest', {
    data: [{ device_id: code, msg_id: 'first', ts: Date.now(), kind: 'door', payload: { open: true, battery: 95 } }],
    headers: { Authorization: `Device ${code}:${secret}` },
  });
  expect((await sent.json()).stored).toBe(1);
  await page.reload();
  await expect(page.getByTestId('device-card')).toContainText('在线');
  await expect(page.getByTestId('message-table')).toContainText('first');

  // Changing the registration: the form opens with what is registered; the code stays.
  await page.locator('[data-testid=device-admin][data-ready]').getByTestId('device-edit').click();
  const edit = page.locator('[data-testid=device-form][data-ready]');
  await expect(edit.getByTestId('device-code')).toHaveValue(code);
  await expect(edit.getByTestId('device-code')).toHaveAttribute('readonly', '');
  await expect(edit.getByTestId('device-resident')).toHaveValue(String(model.resident_id));
  await edit.getByTestId('device-model').fill('MC-NB-300');
  await edit.getByTestId('device-save').click();
  await expect(page.getByTestId('device-card')).toContainText('MC-NB-300');
  await expect(page.getByTestId('device-card')).toContainText(model.address);
  await expect(page.getByTestId('device-card')).toContainText('独居老人');

  // Retiring asks once more, then the device is out of service and refused.
  await page.locator('[data-testid=device-admin][data-ready]').getByTestId('device-retire').click();
  await expect(page.getByTestId('device-retire')).toHaveText('确认停用？再点一次');
  await page.getByTestId('device-retire').click();
  await expect(page.getByTestId('device-card')).toContainText('已停用');
  await expect(page.getByTestId('device-retire')).toHaveText('恢复启用');
  const refused = await page.request.post('/api/v1/ingest', {
    data: [{ device_id: code, msg_id: 'after', ts: Date.now(), kind: 'heartbeat', payload: {} }],
    headers: { Authorization: `Device ${code}:${secret}` },
  });
  const answer = await refused.json();
  expect(answer.refused).toBe(1);
  expect(answer.results[0].error).toContain('已停用');
  await page.screenshot({ path: 'end2end/test-results/device-retired.png', fullPage: true });
  expect(problems).toEqual([]);
});

test('a CSV with a bad line imports nothing and names the line; the corrected file imports every device', async ({ page }) => {
  await loginAs(page, 'guanliyuan');
  const code = `SW-E2E-${Date.now() % 1_000_000}`;
  const header = 'code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat';
  await page.goto('/devices');
  await page.locator('html[data-hydrated]').waitFor();
  await page.getByTestId('device-import').click();
  await page.getByTestId('csv-text').fill(`${header}\n${code},water_level_gauge,RLG-80,gauge-river,,,,,106.4505,29.5850\n${code}-B,toaster,X,,,,,,106.45,29.585\n`);
  await page.getByTestId('csv-submit').click();
  await expect(page.getByTestId('csv-error')).toContainText('第 3 行');
  const none = await (await page.request.get(`/api/v1/devices?q=${code}&status=retired`)).json();
  const all = await (await page.request.get(`/api/v1/devices?q=${code}`)).json();
  expect(all.total + none.total).toBe(0);

  await page.getByTestId('csv-text').fill(`${header}\n${code},water_level_gauge,RLG-80,gauge-river,,,,,106.4505,29.5850\n${code}-B,camera,DS-2CD,camera-ai,,,,,106.4510,29.5852\n`);
  await page.getByTestId('csv-submit').click();
  await expect(page.getByTestId('csv-ok')).toHaveText('已导入 2 台设备。');
  const after = await (await page.request.get(`/api/v1/devices?q=${code}`)).json();
  expect(after.total).toBe(2);
  await page.screenshot({ path: 'end2end/test-results/device-import.png' });
  // Out of service again, so the demo's counts stay what other tests expect.
  for (const d of after.devices) expect((await apiPost(page, `/api/v1/devices/${d.id}/retired`, { retired: true })).status()).toBe(204);
  expect((await (await page.request.get(`/api/v1/devices?q=${code}&status=retired`)).json()).total).toBe(2);
});

test('command staff see no registration controls and are refused by the server', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await page.goto('/devices');
  await expect(page.getByTestId('device-table')).toBeVisible();
  await expect(page.getByTestId('device-new')).toHaveCount(0);
  const r = await apiPost(page, '/api/v1/devices', { code: 'YG-NOPE', kind: 'smoke_detector', model: 'X', lon: 106.45, lat: 29.585 });
  expect(r.status()).toBe(403);
});
