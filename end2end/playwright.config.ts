import { defineConfig, devices } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';

// The server under test: the debug build with the demo district in a fresh SQLite file, on its
// own port. Playwright waits for /healthz before the first test. Not `sqlite::memory:`: that
// database lives on one connection, and a request the browser abandons mid-write (a page closed
// while its fetch runs) makes sqlx close that connection — and with it the whole database.
const PORT = Number(process.env.ZHIZHI_E2E_PORT ?? 3100);
const DB = `${os.tmpdir()}/zhizhi-e2e-${process.pid}.db`;
for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) fs.rmSync(f, { force: true });
const BASE = `http://127.0.0.1:${PORT}`;
// A second server for the KPI story and the district's: the demo with two months of history
// played through the case flow in the background (the KPI spec waits until it is done), made a
// district of three streets.
const HISTORY_PORT = PORT + 1;
const HISTORY_DB = `${os.tmpdir()}/zhizhi-e2e-history-${process.pid}.db`;
for (const f of [HISTORY_DB, `${HISTORY_DB}-wal`, `${HISTORY_DB}-shm`]) fs.rmSync(f, { force: true });

// Debian's Chromium, never a downloaded browser; the flags keep it off the (closed) network.
// WebGL is drawn in software by SwiftShader (through ANGLE), so the map renders without a GPU.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--use-gl=angle',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Video calls: a fake camera and microphone (a test pattern and a tone), granted without a
    // prompt, playing without a gesture, and peer connections over loopback.
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: BASE,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  projects: [
    {
      name: 'desktop',
      testIgnore: /\.phone\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 1366, height: 768 }, launchOptions: chromium },
    },
    {
      name: 'phone',
      testIgnore: /\.desktop\.spec\.ts$/,
      use: { ...devices['Pixel 7'], launchOptions: chromium },
    },
  ],
  webServer: [
    {
      command: `./target/debug/zhizhi serve --demo --db sqlite://${DB} --addr 127.0.0.1:${PORT} --site-root target/site`,
      cwd: '..',
      url: `${BASE}/healthz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `./target/debug/zhizhi serve --demo --demo-streets 3 --history-days 62 --db sqlite://${HISTORY_DB} --addr 127.0.0.1:${HISTORY_PORT} --site-root target/site`,
      cwd: '..',
      url: `http://127.0.0.1:${HISTORY_PORT}/healthz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
