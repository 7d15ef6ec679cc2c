import { test, expect, devices, Page } from '@playwright/test';
import { apiPost, loginAs } from './helpers';
import * as fs from 'fs';

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const HOUR = 3_600_000;

/** A token with the `ingest` scope, made by the administrator: what an NB-IoT platform holds. */
async function ingestToken(page: Page): Promise<string> {
  await loginAs(page, 'guanliyuan');
  const r = await apiPost(page, '/api/v1/tokens', { name: 'e2e-nb-iot', scopes: ['ingest'] });
  expect(r.status()).toBe(201);
  return (await r.json()).token;
}

test('a door not opened for 25 hours: care alarm on the open board, the grid worker closes it on the scene as a false alarm', async ({ browser }) => {
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const phone = await browser.newContext({ ...devices['Pixel 7'], ...zh });
  const adminDesk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const coord = await desk.newPage();
  const worker = await phone.newPage();
  const admin = await adminDesk.newPage();
  const problems: string[] = [];
  for (const p of [coord, worker]) {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('EventSource')) problems.push(m.text()); });
  }
  const token = await ingestToken(admin);

  // A door sensor on the home of a resident living alone, in the grid worker's grid.
  await loginAs(worker, 'wanggeyuan');
  const me = await (await worker.request.get('/api/v1/me')).json();
  const list = await (await admin.request.get('/api/v1/devices?kind=door_sensor&limit=1000')).json();
  const sensor = list.devices.find((d: any) => me.grid_ids.includes(d.grid_id) && (d.resident ?? '').includes('独居老人') && d.open_alarms.length === 0);
  expect(sensor, 'a care door sensor in the worker’s grid').toBeTruthy();

  // The coordinator's board is open and live.
  await loginAs(coord, 'zhihui');
  await coord.goto('/board');
  await expect(coord.getByTestId('live-status')).toHaveClass(/on/);

  // The NB-IoT platform delivers the sensor's backlog: the door last opened 25 h ago, hourly heartbeats since.
  const now = Date.now();
  const batch = [{ device_id: sensor.code, msg_id: `e2e-door-${now}`, ts: now - 25 * HOUR, kind: 'door', payload: { open: true, battery: 80 } }];
  for (let h = 25; h >= 0; h--) batch.push({ device_id: sensor.code, msg_id: `e2e-hb-${now}-${h}`, ts: now - h * HOUR, kind: 'heartbeat', payload: { battery: 80 } } as any);
  const sent = await admin.request.post('/api/v1/ingest', { data: batch, headers: { Authorization: `Bearer ${token}` } });
  expect(sent.status()).toBe(200);
  expect((await sent.json()).stored).toBe(27);

  // The care case appears on the open board without reload, with its place.
  const card = coord.getByTestId('case-card').filter({ hasText: '独居老人异常' }).first();
  await expect(card).toBeVisible({ timeout: 5000 });
  await expect(card).toContainText(sensor.address.split(' ')[0]);
  await coord.screenshot({ path: 'end2end/test-results/iot-board-care-alarm.png' });
  await card.click();
  await expect(coord.getByTestId('case-detail')).toContainText('25 小时无开门记录');
  const caseId = Number(await card.getAttribute('data-case-id'));

  // The coordinator sends the grid worker (the case's grid).
  const detail = await (await coord.request.get(`/api/v1/cases/${caseId}`)).json();
  const d = await apiPost(coord, `/api/v1/cases/${caseId}/actions`, { action: 'dispatch', holders: [{ kind: 'grid', id: detail.case.grid_id }], version: detail.case.version });
  expect(d.status()).toBe(200);

  // On the phone: accept, then close as a false alarm with the reason.
  await worker.goto(`/cases/${caseId}`);
  // Hydrated and following the live stream before anything is clicked.
  await expect(worker.locator('[data-testid=case-page][data-live]')).toHaveCount(1);
  await expect(worker.getByTestId('case-state')).toHaveText('已派遣');
  await worker.getByTestId('accept-task').click();
  await expect(worker.getByTestId('case-state')).toHaveText('处置中');
  await worker.getByTestId('false-alarm').click();
  await worker.getByTestId('action-text').fill('老人在家，安全');
  await worker.screenshot({ path: 'end2end/test-results/iot-phone-false-alarm.png', fullPage: true });
  await worker.getByTestId('action-submit').click();
  await expect(worker.getByTestId('case-state')).toHaveText('已结案');
  await expect(worker.getByTestId('step').last()).toContainText('误报结案');

  // The alarm list records why; the health page counts it.
  await coord.goto('/alarms?all=1');
  const row = coord.getByTestId('alarm-table').locator('tr').filter({ hasText: sensor.code }).first();
  await expect(row).toContainText('独居老人无活动');
  await expect(row).toContainText('误报：老人在家，安全');
  await coord.screenshot({ path: 'end2end/test-results/iot-alarms.png', fullPage: true });
  // The log goes to Excel as the page shows it, conclusion and all.
  const [alarmBook] = await Promise.all([coord.waitForEvent('download'), coord.getByTestId('export-alarms').click()]);
  expect(alarmBook.suggestedFilename()).toMatch(/^告警记录-\d{12}\.xlsx$/);
  const alarmXml = fs.readFileSync(await alarmBook.path()).toString('utf8');
  expect(alarmXml).toContain(sensor.code);
  expect(alarmXml).toContain('老人在家，安全');
  await coord.goto('/iot');
  await expect(coord.getByTestId('false-alarm-rates')).toContainText('独居老人无活动');
  await coord.screenshot({ path: 'end2end/test-results/iot-health.png', fullPage: true });
  await coord.goto(`/devices/${sensor.id}`);
  await expect(coord.getByTestId('device-card')).toContainText('在线');
  await expect(coord.getByTestId('message-table').locator('tbody tr')).toHaveCount(27);
  await coord.screenshot({ path: 'end2end/test-results/iot-device.png', fullPage: true });
  expect(problems).toEqual([]);
});

test('the device list filters by kind and state', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await page.goto('/devices?kind=water_level_gauge');
  await expect(page.getByTestId('device-count')).toContainText('共 8 台');
  await expect(page.getByTestId('device-table').locator('tbody tr')).toHaveCount(8);
  // The filtered list goes to Excel: the eight gauges and the header.
  const [book] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-devices').click()]);
  expect(book.suggestedFilename()).toMatch(/^物联设备-\d{12}\.xlsx$/);
  const xml = fs.readFileSync(await book.path()).toString('utf8');
  expect((xml.match(/<row /g) ?? []).length).toBe(9);
  expect(xml).toContain('水位计');
  await page.goto('/devices?kind=water_level_gauge&status=alarm');
  await expect(page.getByText('没有符合条件的设备。')).toBeVisible();
  await page.goto('/devices');
  await page.screenshot({ path: 'end2end/test-results/iot-devices.png' });
});
