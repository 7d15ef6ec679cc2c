import { test, expect, devices, chromium, Page, BrowserContext } from '@playwright/test';
import { apiPost, loginAs } from './helpers';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The grid worker's phone without a signal: it opens from what it keeps, the work done in the
// basement waits on it (surviving a reload and a restart of the browser), and when the signal
// returns everything reaches the server once, the board shows it live, and what the server can
// no longer accept comes back as a conflict with choices.

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

// A tiny PNG: the phone camera's photo.
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

async function caseIn(coord: Page, building: number, description: string, category: string, gridId: number) {
  const r = await apiPost(coord, '/api/v1/cases', { category, description, building_id: building });
  expect(r.status()).toBe(201);
  const id = (await r.json()).case.id;
  const d = await apiPost(coord, `/api/v1/cases/${id}/actions`, { action: 'dispatch', holders: [{ kind: 'grid', id: gridId }] });
  expect(d.status()).toBe(200);
  return { id, number: (await d.json()).case.number as string };
}

/** A care door sensor in the worker's grid reports 25 hours without the door opening: the
 * care alarm's case (source iot), dispatched to the grid. */
async function careAlarm(coord: Page, admin: Page, gridId: number) {
  await loginAs(admin, 'guanliyuan');
  const t = await apiPost(admin, '/api/v1/tokens', { name: 'e2e-offline-nb-iot', scopes: ['ingest'] });
  expect(t.status()).toBe(201);
  const token = (await t.json()).token;
  // A new sensor on the door of a resident living alone whom a demo sensor already watches over
  // (earlier stories leave the demo's sensors with alarms of their own).
  const list = await (await admin.request.get('/api/v1/devices?kind=door_sensor&limit=1000')).json();
  const model = list.devices.find((d: any) => d.grid_id === gridId && (d.resident ?? '').includes('独居老人') && d.household_id && d.floor);
  expect(model, 'a care door sensor in the worker’s grid').toBeTruthy();
  const sensor = { code: `MC-OFFLINE-${Date.now() % 1_000_000}` };
  const made = await apiPost(admin, '/api/v1/devices', { code: sensor.code, kind: 'door_sensor', model: 'MC-NB-200', profile: 'door-care',
    building_id: model.building_id, floor: model.floor, household_id: model.household_id, resident_id: model.resident_id });
  expect(made.ok(), await made.text()).toBe(true);
  const before = Math.max(0, ...(await (await coord.request.get('/api/v1/cases?limit=1000')).json()).cases.map((c: any) => c.id));
  const now = Date.now();
  const HOUR = 3_600_000;
  const batch: any[] = [{ device_id: sensor.code, msg_id: `e2e-offline-door-${now}`, ts: now - 25 * HOUR, kind: 'door', payload: { open: true, battery: 80 } }];
  for (let h = 25; h >= 0; h--) batch.push({ device_id: sensor.code, msg_id: `e2e-offline-hb-${now}-${h}`, ts: now - h * HOUR, kind: 'heartbeat', payload: { battery: 80 } });
  const sent = await admin.request.post('/api/v1/ingest', { data: batch, headers: { Authorization: `Bearer ${token}` } });
  expect(sent.status()).toBe(200);
  let id = 0;
  await expect.poll(async () => {
    const cases = (await (await coord.request.get('/api/v1/cases?state=open&category=care.elderly_alone&limit=1000')).json()).cases;
    id = cases.find((c: any) => c.id > before && c.source === 'iot')?.id ?? 0;
    return id;
  }).toBeGreaterThan(0);
  const d = await apiPost(coord, `/api/v1/cases/${id}/actions`, { action: 'dispatch', holders: [{ kind: 'grid', id: gridId }] });
  expect(d.status()).toBe(200);
  return { id, number: (await d.json()).case.number as string };
}

async function steps(coord: Page, id: number, kind: string) {
  const d = await (await coord.request.get(`/api/v1/cases/${id}`)).json();
  return { state: d.case.state as string, count: d.steps.filter((s: any) => s.kind === kind).length };
}

test('without a signal the phone keeps working, and catches up once when the signal returns', async ({ browser }, info) => {
  test.setTimeout(180_000);
  const launch = info.project.use.launchOptions!;
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const coord = await desk.newPage();
  await loginAs(coord, 'zhihui');

  // Four tasks for the worker's grid, and a building of it (where the phone says it is).
  const probe = await browser.newContext(zh);
  const probePage = await probe.newPage();
  await loginAs(probePage, 'wanggeyuan');
  const me = await (await probePage.request.get('/api/v1/me')).json();
  const grid = me.grid_ids[0];
  const found = await (await probePage.request.get(`/api/v1/buildings?q=${encodeURIComponent('磁南街27号')}`)).json();
  const here = found[0];
  await probe.close();
  const checkIn = await caseIn(coord, here.id, '井盖松动，车辆经过有响声', 'environment.manhole', grid);
  const adminDesk = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...zh });
  const care = await careAlarm(coord, await adminDesk.newPage(), grid);
  await adminDesk.close();
  const late = await caseIn(coord, here.id, '路边垃圾堆放，无人清运', 'environment.litter', grid);
  const late2 = await caseIn(coord, here.id, '人行道地砖松动，行人易绊倒', 'environment.facility', grid);

  // The phone: a browser profile of its own on disk, so that it can be closed and opened again.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zz-phone-'));
  const { defaultBrowserType: _, ...pixel } = devices['Pixel 7'];
  const open = () => chromium.launchPersistentContext(dir, {
    ...pixel, ...zh, baseURL: info.project.use.baseURL, executablePath: launch.executablePath, args: launch.args,
    permissions: ['geolocation'], geolocation: { longitude: here.lon, latitude: here.lat },
  });
  let phone: BrowserContext = await open();
  let worker = phone.pages()[0] ?? await phone.newPage();
  const problems: string[] = [];
  worker.on('pageerror', (e) => problems.push(e.message));

  // With a signal: signed in, the tasks page starts the phone app, which keeps the worker's
  // pages (their tasks' cases among them) and the map of their grid.
  await loginAs(worker, 'wanggeyuan');
  await worker.goto('/m/tasks');
  await expect(worker.locator('[data-testid=outbox][data-ready]')).toHaveCount(1);
  await expect(worker.getByTestId('outbox-line')).toHaveAttribute('data-online', '1');
  await expect.poll(() => worker.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 30_000 }).toBe(true);
  const keptPaths = ['/m/tasks', '/report', '/my-grid', ...[checkIn, care, late, late2].map((c) => `/cases/${c.id}`)];
  await expect.poll(() => worker.evaluate(async (paths) => {
    const hits = await Promise.all(paths.map((p) => caches.match(p)));
    return hits.every(Boolean);
  }, keptPaths), { timeout: 60_000 }).toBe(true);
  await worker.goto('/my-grid');
  await expect(worker.locator('[data-testid=district-map].ready')).toBeVisible({ timeout: 60_000 });
  const kept = await worker.evaluate(() => (window as any).zzOutbox.kept());
  console.log(`the phone keeps: ${JSON.stringify(kept)}`);

  // The signal goes. The app still opens: the tasks, the grid and its map.
  await phone.setOffline(true);
  await worker.goto('/m/tasks');
  await expect(worker.locator('[data-testid=outbox][data-ready]')).toHaveCount(1);
  await expect(worker.getByTestId('outbox-line')).not.toHaveAttribute('data-online', '1');
  await expect(worker.getByTestId('outbox-line')).toContainText('无信号');
  for (const c of [checkIn, care, late, late2]) await expect(worker.getByTestId('my-tasks')).toContainText(c.number);
  await worker.goto('/my-grid');
  await expect(worker.getByTestId('resident-list').locator('li').first()).toBeVisible();
  await expect(worker.locator('[data-testid=district-map].ready')).toBeVisible({ timeout: 60_000 });

  // A broken street lamp, with a photo and the phone's location.
  await worker.goto('/report');
  await worker.locator('[data-testid=report-form][data-ready]').waitFor();
  await worker.getByTestId('category').selectOption('environment.facility');
  await worker.getByTestId('description').fill('路灯不亮，巷子里一片漆黑');
  await worker.getByTestId('locate').click();
  await expect(worker.getByTestId('chosen-place')).toContainText('当前位置');
  await worker.getByTestId('photo').setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: PHOTO });
  await worker.getByTestId('submit').click();
  await expect(worker).toHaveURL(/\/m\/tasks$/);
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '2');
  await expect(worker.getByTestId('outbox-waiting-list')).toContainText('市政设施损坏');
  await worker.screenshot({ path: 'end2end/test-results/offline-phone-queued.png', fullPage: true });

  // On the scene: a check-in, a care alarm closed as false, a report-back.
  const onCase = async (id: number) => {
    await worker.goto(`/cases/${id}`);
    await expect(worker.locator('[data-testid=case-page][data-ready]')).toHaveCount(1);
  };
  await onCase(checkIn.id);
  await worker.getByTestId('check-in').click();
  await expect(worker.getByTestId('action-queued')).toContainText('到场签到');
  await onCase(care.id);
  await worker.getByTestId('false-alarm').click();
  await worker.getByTestId('action-text').fill('老人在家，安全');
  await worker.getByTestId('action-submit').click();
  await expect(worker.getByTestId('action-queued')).toContainText('误报结案');
  await onCase(late.id);
  await worker.getByTestId('report-back').click();
  await worker.getByTestId('action-text').fill('垃圾已清运完毕，路面干净');
  await worker.getByTestId('action-submit').click();
  await expect(worker.getByTestId('action-queued')).toContainText('处置反馈');
  await onCase(late2.id);
  await worker.getByTestId('report-back').click();
  await worker.getByTestId('action-text').fill('地砖已重新铺好，恢复平整');
  await worker.getByTestId('action-submit').click();
  await expect(worker.getByTestId('action-queued')).toContainText('处置反馈');

  // Meanwhile the coordinator ends the last two cases' handling.
  for (const x of [late, late2]) {
    const c = await apiPost(coord, `/api/v1/cases/${x.id}/actions`, { action: 'conclude', reason: '已由城管当场处理' });
    expect(c.status()).toBe(200);
  }

  // A reload and a restart of the browser, still without a signal: nothing queued is lost.
  await worker.reload();
  await expect(worker.locator('[data-testid=outbox][data-ready]')).toHaveCount(1);
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '6');
  const queued = await worker.evaluate(() => new Promise<any[]>((resolve) => {
    const req = indexedDB.open('zhizhi-outbox');
    req.onsuccess = () => {
      const all = req.result.transaction('items').objectStore('items').getAll();
      all.onsuccess = () => resolve(all.result.filter((i: any) => i.json).map((i: any) => ({ url: i.url, json: i.json })));
    };
  }));
  expect(queued.length).toBe(5);
  await phone.close();
  phone = await open();
  await phone.setOffline(true);
  worker = phone.pages()[0] ?? await phone.newPage();
  worker.on('pageerror', (e) => problems.push(e.message));
  await worker.goto('/m/tasks');
  await expect(worker.locator('[data-testid=outbox][data-ready]')).toHaveCount(1);
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '6');

  // The coordinator's board is open and live (and will not be reloaded).
  await coord.goto('/board');
  await expect(coord.getByTestId('live-status')).toHaveClass(/on/);
  await coord.evaluate(() => { (window as any).zzSameBoard = true; });

  // The signal returns. The browser's restart ended the session (its cookie lives with the
  // browser): the phone says so, the worker signs in, and the queue goes, in order.
  await phone.setOffline(false);
  await worker.getByTestId('outbox-send').click();
  await expect(worker.getByTestId('outbox-line')).toContainText('重新登录');
  // The server said the session is over: what the phone kept of it is gone, the queue is not.
  await expect.poll(() => worker.evaluate(async () => (await caches.keys()).some((k) => k.startsWith('zz-data')))).toBe(false);
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '6');
  await loginAs(worker, 'wanggeyuan');
  await worker.goto('/m/tasks');
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '0', { timeout: 30_000 });
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-conflicts', '2');
  const conflict = worker.getByTestId('outbox-conflict').filter({ hasText: late.number });
  await expect(conflict).toContainText('处置反馈');
  await expect(conflict).toContainText('不能反馈');
  await expect(worker.getByTestId('outbox-last-sync')).toBeVisible();
  await worker.screenshot({ path: 'end2end/test-results/offline-phone-conflict.png', fullPage: true });

  // Everything is on the server once: the report with its photo, the check-in, the false alarm.
  const lamps = async () => (await (await coord.request.get('/api/v1/cases?state=open&limit=1000')).json()).cases
    .filter((x: any) => x.description === '路灯不亮，巷子里一片漆黑');
  expect((await lamps()).length).toBe(1);
  const lamp = (await lamps())[0];
  expect(lamp.source).toBe('patrol');
  expect((await steps(coord, lamp.id, 'attach')).count).toBe(1);
  expect(await steps(coord, checkIn.id, 'check_in')).toEqual({ state: 'handling', count: 1 });
  expect(await steps(coord, care.id, 'false_alarm')).toEqual({ state: 'closed', count: 1 });
  // The coordinator's board, open all along, shows the lamp live.
  await expect(coord.getByTestId('case-card').filter({ hasText: '市政设施损坏' }).filter({ hasText: lamp.number })).toBeVisible();
  expect(await coord.evaluate(() => (window as any).zzSameBoard)).toBe(true);

  // The phone's resends (the answer lost on the way back) change nothing.
  for (const q of queued) {
    const r = await worker.request.post(q.url, { data: JSON.parse(q.json), headers: { 'Sec-Fetch-Site': 'same-origin' } });
    if (q.url.endsWith(`/${late.id}/actions`) || q.url.endsWith(`/${late2.id}/actions`)) expect(r.status()).toBe(409);
    else expect(r.status(), q.url).toBe(200);
  }
  expect((await lamps()).length).toBe(1);
  expect((await steps(coord, checkIn.id, 'check_in')).count).toBe(1);
  expect((await steps(coord, care.id, 'false_alarm')).count).toBe(1);

  // The refused report-backs: one kept on its case as a note, the other reported as a new case.
  await conflict.getByTestId('outbox-as-comment').click();
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-conflicts', '1');
  await expect.poll(async () => {
    const d = await (await coord.request.get(`/api/v1/cases/${late.id}`)).json();
    return d.steps.filter((s: any) => s.kind === 'comment').map((s: any) => s.note);
  }).toEqual(['垃圾已清运完毕，路面干净']);
  await worker.getByTestId('outbox-conflict').filter({ hasText: late2.number }).getByTestId('outbox-as-new').click();
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-conflicts', '0');
  await expect(worker.getByTestId('outbox')).toHaveAttribute('data-waiting', '0');
  await expect.poll(async () => (await (await coord.request.get('/api/v1/cases?state=open&limit=1000')).json()).cases
    .filter((x: any) => x.description === '地砖已重新铺好，恢复平整').length).toBe(1);
  // Signing out leaves nothing of the worker's on the phone.
  await worker.locator('button.logout').click();
  await expect(worker).toHaveURL(/\/login/);
  await expect.poll(() => worker.evaluate(async () => (await caches.keys()).some((k) => k.startsWith('zz-data')))).toBe(false);
  expect(problems).toEqual([]);
  await phone.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
