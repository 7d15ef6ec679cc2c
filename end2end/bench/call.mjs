// Measures a video call on localhost in Debian's Chromium with fake camera and microphone: the
// time from 「呼叫」 on the case to the phone ringing, from 「接听」 to the first frame of the
// worker's camera playing at the centre, and the server's CPU (it relays signalling only) while
// a call is set up and while one runs. Run against a running demo server:
//
//   node end2end/bench/call.mjs http://127.0.0.1:3000 <server pid> [runs] [hold seconds]
//
// Uses the demo accounts zhihui (the centre) and wanggeyuan (the phone). Prints each run and the
// medians.
import { chromium, devices } from '@playwright/test';
import { readFileSync } from 'node:fs';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const pid = Number(process.argv[3]);
const runs = Number(process.argv[4] ?? 5);
const hold = Number(process.argv[5] ?? 60);
const PASSWORD = 'Ciqikou-141-demo';
const TICK = 100; // clock ticks per second (Linux)

/** The server's CPU time so far, in milliseconds (user + system). */
function cpuMs() {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection'],
});

async function signedIn(user, options) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  const r = await page.request.post(base + '/api/v1/login', { data: { username: user, password: PASSWORD } });
  if (r.status() !== 200) throw new Error(`login ${user}: ${r.status()}`);
  return page;
}

const coord = await signedIn('zhihui', { viewport: { width: 1920, height: 1080 } });
const worker = await signedIn('wanggeyuan', { ...devices['Pixel 7'], permissions: ['camera', 'microphone'] });
const found = await (await coord.request.get(base + '/api/v1/buildings?q=' + encodeURIComponent('磁南街27号'))).json();
const created = await coord.request.post(base + '/api/v1/cases', {
  data: { category: 'order.crowd', description: '视频通话基准：古镇牌坊处人员聚集', building_id: found[0].id },
  headers: { 'Sec-Fetch-Site': 'same-origin' },
});
const caseId = (await created.json()).case.id;
await coord.goto(`${base}/cases/${caseId}`);
await worker.goto(`${base}/m/tasks`);
await coord.locator('[data-testid=call-layer][data-live]').waitFor({ state: 'attached' });
await worker.locator('[data-testid=call-layer][data-live]').waitFor({ state: 'attached' });

// The server's own background (housekeeping, the call sweeper, the pages' streams) without a call.
let idleCpu = null;
if (hold > 0) {
  const c0 = cpuMs();
  await coord.waitForTimeout(hold * 1000);
  idleCpu = ((cpuMs() - c0) / hold) * 60;
}
const results = [];
for (let i = 0; i < runs; i++) {
  await coord.getByTestId('video-call').click();
  const cpu0 = cpuMs();
  const t0 = Date.now();
  await coord.getByTestId('call-this').first().click();
  await worker.getByTestId('incoming-call').waitFor();
  const ring = Date.now() - t0;
  const t1 = Date.now();
  await worker.getByTestId('answer-call').click();
  await coord.waitForFunction(() => {
    const v = document.getElementById('zz-call-remote');
    return v && v.videoWidth > 0 && v.currentTime > 0;
  }, null, { polling: 'raf', timeout: 30_000 });
  const frame = Date.now() - t1;
  const setupCpu = cpuMs() - cpu0;
  let heldCpu = null;
  if (i === 0 && hold > 0) {
    const c0 = cpuMs();
    await coord.waitForTimeout(hold * 1000);
    heldCpu = ((cpuMs() - c0) / hold) * 60;
  }
  await coord.getByTestId('hang-up').click();
  await worker.getByTestId('call-close').click();
  await coord.getByTestId('call-close').click();
  const r = { ring_ms: ring, answer_to_first_frame_ms: frame, setup_cpu_ms: setupCpu };
  if (heldCpu !== null) r.cpu_ms_per_call_minute = heldCpu;
  console.log(JSON.stringify(r));
  results.push(r);
}
const median = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(JSON.stringify({ runs, median_ring_ms: median('ring_ms'), median_answer_to_first_frame_ms: median('answer_to_first_frame_ms'), median_setup_cpu_ms: median('setup_cpu_ms'), cpu_ms_per_minute_in_a_call: results[0].cpu_ms_per_call_minute, cpu_ms_per_minute_without: idleCpu }));
await browser.close();
