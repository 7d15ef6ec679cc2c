import { test, expect, devices, Page, Browser } from '@playwright/test';
import { apiPost, crowdAlert, loginAs } from './helpers';

// 28 March again, with video: the camera at the old-town gate sees a crowd; on the board the
// coordinator calls the grid worker from the case; the worker's phone rings, they answer with
// the (fake) rear camera; the coordinator sees the scene playing, stores a snapshot on the case,
// hangs up; both sides show the end and the timeline shows the call with its length.

const zh = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const desktop = { viewport: { width: 1366, height: 768 }, ...zh };

async function signedIn(browser: Browser, username: string, options: object): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await loginAs(page, username);
  return page;
}

test('the coordinator calls the grid worker from the crowd alert, sees the scene, keeps a snapshot and hangs up', async ({ browser }) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  };
  const admin = await signedIn(browser, 'guanliyuan', desktop);
  const token = await apiPost(admin, '/api/v1/tokens', { name: 'e2e-camera-video', scopes: ['ingest'] });
  const bearer = `Bearer ${(await token.json()).token}`;

  // The duty officer has the command screen on the wall too: the call shows only where it was made.
  const wall = await signedIn(browser, 'zhihui', desktop);
  await wall.goto('/');
  await expect(wall.locator('[data-testid=call-layer][data-live]')).toHaveCount(1);
  const coord = await signedIn(browser, 'zhihui', desktop);
  watch(coord);
  await coord.goto('/board');
  await expect(coord.getByTestId('live-status')).toHaveClass(/on/);

  // The worker's phone is open on their tasks, its call layer listening.
  const worker = await signedIn(browser, 'wanggeyuan', { ...devices['Pixel 7'], ...zh, permissions: ['camera', 'microphone'] });
  watch(worker);
  await worker.goto('/m/tasks');
  await expect(worker.locator('[data-testid=call-layer][data-live]')).toHaveCount(1);

  // The camera at the gate counts 80 people: the AI crowd alert reaches the board.
  // (Earlier stories may have left crowd cases of their own: this one is the newest.)
  const newestCrowd = async () => Math.max(0, ...(await (await coord.request.get('/api/v1/cases?category=order.crowd&limit=200')).json()).cases.map((c: any) => c.id));
  const before = await newestCrowd();
  const grids = (await (await worker.request.get('/api/v1/me')).json()).grid_ids;
  await crowdAlert(admin, bearer, 'video', grids);
  await expect.poll(newestCrowd).toBeGreaterThan(before);
  const caseId = await newestCrowd();
  const card = coord.locator(`[data-testid=case-card][data-case-id="${caseId}"]`);
  await expect(card).toBeVisible({ timeout: 5000 });

  // On the board: the case, 视频通话, the grid worker offered first, 呼叫.
  await card.click();
  await expect(coord.getByTestId('case-detail')).toHaveAttribute('data-state', /.+/);
  await coord.getByTestId('video-call').click();
  const pick = coord.getByTestId('call-pick');
  const candidate = pick.getByTestId('call-candidate').first();
  await expect(candidate).toContainText('磁南街网格员');
  await expect(candidate).toContainText('网格员');
  await candidate.getByTestId('call-this').click();
  await expect(coord.getByTestId('call-state')).toHaveText('正在呼叫 磁南街网格员…');

  // The phone rings: who calls, for which case; answered with the camera.
  const ringing = worker.getByTestId('incoming-call');
  await expect(ringing).toBeVisible({ timeout: 5000 });
  await expect(worker.getByTestId('incoming-caller')).toHaveText('指挥中心值班员');
  await expect(ringing).toContainText('事件 ');
  await worker.screenshot({ path: 'end2end/test-results/video-ringing.png' });
  await worker.getByTestId('answer-call').click();
  await expect(ringing).toHaveCount(0);
  // The worker's page says plainly that the camera and microphone are on.
  await expect(worker.getByTestId('camera-on')).toBeVisible();
  await expect(worker.getByTestId('mic-on')).toBeVisible();

  // The coordinator sees the scene: a playing video track from the worker.
  const video = coord.getByTestId('call-video');
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => {
    const s = v.srcObject as MediaStream | null;
    return !!s && s.getVideoTracks().length > 0 && v.videoWidth > 0 && !v.paused && v.currentTime > 0;
  }), { timeout: 20_000 }).toBe(true);
  await expect(coord.getByTestId('call-state')).toHaveText('通话中');
  await expect(wall.getByTestId('call-window')).toBeHidden();
  await coord.screenshot({ path: 'end2end/test-results/video-centre.png' });
  await worker.screenshot({ path: 'end2end/test-results/video-phone.png' });

  // The duty leader opens the case and joins to watch: the scene plays on their screen too.
  const leader = await signedIn(browser, 'lingdao', desktop);
  watch(leader);
  await leader.goto(`/cases/${caseId}`);
  await expect(leader.locator('[data-testid=call-layer][data-live]')).toHaveCount(1);
  await expect(leader.getByTestId('call-under-way')).toContainText('指挥中心值班员 ↔ 磁南街网格员');
  await leader.getByTestId('join-call').click();
  await expect.poll(async () => leader.getByTestId('call-video').evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused && v.currentTime > 0), { timeout: 20_000 }).toBe(true);
  await expect(leader.getByTestId('hang-up')).toHaveText('离开');
  // A reloaded page picks the call up again: the phone offers it a fresh connection.
  await leader.reload();
  await expect.poll(async () => leader.getByTestId('call-video').evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused && v.currentTime > 0), { timeout: 20_000 }).toBe(true);

  // A snapshot goes onto the case as a photo.
  await coord.getByTestId('call-snapshot').click();
  await expect(coord.getByTestId('snapshot-count')).toHaveText('已存 1 张');
  const withPhoto = await (await coord.request.get(`/api/v1/cases/${caseId}`)).json();
  const snap = withPhoto.steps.find((s: any) => s.kind === 'attach' && s.note.startsWith('视频通话截图'));
  expect(snap?.attachments.length).toBe(1);
  const photo = await coord.request.get(`/api/v1/photos/${snap.attachments[0]}`);
  expect(photo.headers()['content-type']).toBe('image/jpeg');

  // Hang up: both sides show the end; the timeline has the call with its length.
  await coord.getByTestId('hang-up').click();
  await expect(coord.getByTestId('call-state')).toContainText('通话已结束（已挂断）');
  await expect(worker.getByTestId('call-state')).toContainText('通话已结束（已挂断）');
  await expect(worker.getByTestId('camera-on')).toHaveCount(0);
  await expect(leader.getByTestId('call-state')).toContainText('通话已结束（已挂断）');
  const step = coord.getByTestId('case-detail').locator('[data-testid=step][data-kind=call]');
  await expect(step).toContainText('视频通话');
  await expect(step.locator('.step-note')).toHaveText(/^指挥中心值班员 呼叫 磁南街网格员：通话 (\d+分)?\d+秒；观看：街道值班领导$/);
  await coord.screenshot({ path: 'end2end/test-results/video-timeline.png' });
  expect(problems).toEqual([]);
});

test('a phone whose camera is refused answers with audio only, and a second call to the busy worker is refused', async ({ browser }) => {
  test.setTimeout(90_000);
  const coord = await signedIn(browser, 'zhihui', desktop);
  const found = await (await coord.request.get(`/api/v1/buildings?q=${encodeURIComponent('磁南街27号')}`)).json();
  const created = await apiPost(coord, '/api/v1/cases', { category: 'order.crowd', description: '码头步道游客拥堵', building_id: found[0].id });
  expect(created.status()).toBe(201);
  const caseId = (await created.json()).case.id;
  // The browser refuses the camera (as it does when the worker once said no); the microphone is allowed.
  const worker = await signedIn(browser, 'wanggeyuan', { ...devices['Pixel 7'], ...zh, permissions: ['microphone'] });
  await worker.addInitScript(() => {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (c?: MediaStreamConstraints) =>
      c && c.video ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : original(c);
  });
  await worker.goto('/m/tasks');
  await expect(worker.locator('[data-testid=call-layer][data-live]')).toHaveCount(1);

  await coord.goto(`/cases/${caseId}`);
  await expect(coord.locator('[data-testid=case-page][data-live]')).toHaveCount(1);
  await coord.getByTestId('video-call').click();
  await coord.getByTestId('call-pick').getByTestId('call-this').first().click();
  await worker.getByTestId('answer-call').click();
  // The way to grant it, or to answer with audio only.
  await expect(worker.getByTestId('camera-denied')).toContainText('允许使用摄像头和麦克风');
  await expect(worker.getByTestId('answer-call')).toHaveText('重试');
  await worker.screenshot({ path: 'end2end/test-results/video-camera-refused.png' });
  await worker.getByTestId('answer-audio').click();
  await expect(worker.getByTestId('mic-on')).toBeVisible();
  await expect(worker.getByTestId('camera-on')).toHaveCount(0);
  await expect(coord.getByTestId('call-state')).toHaveText('通话中', { timeout: 20_000 });

  // The duty leader tries to call the same worker meanwhile: 占线.
  const leader = await signedIn(browser, 'lingdao', desktop);
  await leader.goto(`/cases/${caseId}`);
  await expect(leader.locator('[data-testid=call-layer][data-live]')).toHaveCount(1);
  await leader.getByTestId('video-call').click();
  const busy = leader.getByTestId('call-candidate').filter({ hasText: '磁南街网格员' });
  await expect(busy).toContainText('占线');
  await busy.getByTestId('call-this').click();
  await expect(leader.getByTestId('call-pick-error')).toHaveText(/^占线：磁南街网格员 正在通话中/);

  // The worker hangs up; the timeline says it was audio only.
  await worker.getByTestId('hang-up').click();
  await expect(coord.getByTestId('call-state')).toContainText('通话已结束（已挂断）');
  await expect(coord.locator('[data-testid=step][data-kind=call] .step-note')).toHaveText(/（仅语音）$/);
});
