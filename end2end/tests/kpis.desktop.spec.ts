import { test, expect, Page } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

// On the demo with two months of history (the second e2e server): the coordinator reads last
// month's figures, sees the trend, the heat table and the hot spots, ranks the posts and opens
// the late cases behind one post's on-time handling rate, exports the workbook and checks it;
// a case of this month shows in the drill-down of the closure rate; the administrator changes
// a weight.
const HISTORY = `http://127.0.0.1:${Number(process.env.ZHIZHI_E2E_PORT ?? 3100) + 1}`;
test.use({ baseURL: HISTORY });

/** The parts of a stored (uncompressed) zip, as the server writes its workbooks. */
function unzipStored(buf: Buffer): Map<string, string> {
  const parts = new Map<string, string>();
  let i = 0;
  while (buf.readUInt32LE(i) === 0x04034b50) {
    expect(buf.readUInt16LE(i + 8), 'stored, not compressed').toBe(0);
    const size = buf.readUInt32LE(i + 18);
    const nameLen = buf.readUInt16LE(i + 26);
    const extra = buf.readUInt16LE(i + 28);
    const name = buf.subarray(i + 30, i + 30 + nameLen).toString('utf8');
    const start = i + 30 + nameLen + extra;
    parts.set(name, buf.subarray(start, start + size).toString('utf8'));
    i = start + size;
  }
  expect(buf.readUInt32LE(i), 'the central directory follows').toBe(0x02014b50);
  return parts;
}

async function historyPlayed(page: Page) {
  // The history plays in the background from the server's start: wait until it is done.
  await expect
    .poll(async () => {
      const r = await page.request.get('/api/v1/kpis?period=day');
      const body = await r.json();
      return r.status() === 200 && body.demo_history === undefined;
    }, { timeout: 240_000, intervals: [2_000] })
    .toBe(true);
}

test('KPIs: last month of the demo history, trend and heat, posts ranked down to late cases, the workbook, the weights', async ({ page }) => {
  test.setTimeout(300_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('EventSource')) problems.push(m.text()); });
  await loginAs(page, 'zhihui');
  await historyPlayed(page);

  // An open case of this month: it keeps this month's closure rate below 100 %.
  const found = await (await page.request.get(`/api/v1/buildings?q=${encodeURIComponent('磁南街27号')}`)).json();
  const made = await apiPost(page, '/api/v1/cases', { category: 'greening.branch', description: '考核测试：行道树断枝', building_id: found[0].id });
  expect(made.status()).toBe(201);
  const reported = await made.json();
  const number = reported.case.number;
  const d = await apiPost(page, `/api/v1/cases/${reported.case.id}/actions`, { action: 'dispatch', holders: [{ kind: 'post', id: reported.suggested_post[0] }] });
  expect(d.status()).toBe(200);

  // A business regraded this month: C → B (raised).
  const regraded = await apiPost(page, '/api/v1/enterprises/3/grades', { to: 'B', reason: '考核测试：纠纷化解，经营规范', evidence: '调解协议' });
  expect(regraded.status()).toBe(204);

  await page.goto('/kpis');
  await page.locator('html[data-hydrated]').waitFor();
  await expect(page.getByTestId('kpi-report')).toBeVisible();
  await expect(page.getByTestId('demo-history')).toHaveCount(0);
  // Device health and grade changes beside the case figures; the grading behind the count.
  const grades = page.locator('[data-testid=health-card][data-indicator=grade_changes]');
  await expect(grades.getByTestId('kpi-value')).toHaveText(/^升 [1-9]\d* · 降 \d+$/);
  await expect(page.locator('[data-testid=health-card][data-indicator=device_availability]').getByTestId('kpi-value')).toHaveText(/^(\d+\.\d%|—)$/);
  await grades.click();
  const change = page.getByTestId('grade-change').filter({ hasText: '考核测试：纠纷化解' });
  await expect(change).toHaveAttribute('data-direction', 'up');
  await expect(change).toContainText('李记千张');
  await expect(change).toContainText('C → B');
  await page.getByTestId('kpi-health').screenshot({ path: 'end2end/test-results/kpis-health.png' });
  const closure = page.locator('[data-testid=kpi-card][data-indicator=closure]');
  await closure.click();
  await expect(page.getByTestId('drill-down').getByTestId('drill-case').filter({ hasText: number })).toHaveCount(1);

  // Last month: hundreds of cases, every figure with a value, the previous month beside it.
  const label = page.getByTestId('period-label');
  await expect(label).toContainText('（对比 ');
  const shown = (await label.textContent())!;
  await page.getByTestId('period-before').click();
  await expect(label).not.toHaveText(shown);
  await expect(label).toContainText(shown.split('（对比 ')[1].replace('）', '') + '（');
  await expect(page.locator('.kpi-total')).toHaveText(/本期上报事件 \d{3,} 件/);
  const onTime = page.locator('[data-testid=kpi-card][data-indicator=on_time_dispatch]');
  await expect(onTime.getByTestId('kpi-value')).toHaveText(/^(8|9)\d\.\d%$/);
  await expect(page.locator('[data-testid=kpi-card][data-indicator=report_to_dispatch]').getByTestId('kpi-value')).toHaveText(/^\d\.\d 分钟$/);
  // The trend: a bar per day, three lines to start with; the coordinator swaps one rate for
  // the rework rate. The heat table: the category groups by hour.
  const trend = page.getByTestId('trend');
  expect(await trend.locator('rect.bar').count()).toBeGreaterThanOrEqual(28);
  await expect(trend.getByTestId('trend-line')).toHaveCount(3);
  expect(await trend.getByTestId('trend-line').first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+ (L[\d.]+,[\d.]+ ){10,}/);
  await trend.locator('[data-testid=trend-pick][data-indicator=closure]').click();
  await trend.locator('[data-testid=trend-pick][data-indicator=rework]').click();
  await expect(trend.locator('[data-testid=trend-pick][data-indicator=rework]')).toHaveAttribute('aria-pressed', 'true');
  await expect(trend.getByTestId('trend-line')).toHaveCount(3);
  await expect(trend.locator('[data-testid=trend-line][data-indicator=closure]')).toHaveCount(0);
  expect(await trend.locator('[data-testid=trend-line][data-indicator=rework]').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+ (L[\d.]+,[\d.]+ ){10,}/);
  await expect(page.getByTestId('heat-row')).not.toHaveCount(0);
  await expect(page.locator('[data-testid=heat-row][data-key=order] td').nth(10)).toHaveText(/^\d+$/);
  // The hot spots: the month's cases on the district map's heat layer.
  const map = page.locator('#kpi-heat-map');
  await expect(map).toHaveAttribute('data-heat-points', /^[1-9]\d{2,}$/, { timeout: 60_000 });
  const all = Number(await map.getAttribute('data-heat-points'));
  await expect(page.getByTestId('hotspot-count')).toHaveText(`${all} 件事件`);
  // The hot-spot map's legend is its density scale, not the severity colours it does not draw.
  await expect(page.getByTestId('hotspots').getByTestId('heat-legend')).toContainText('事件密度');
  await expect(page.getByTestId('hotspots').locator('.map-legend')).not.toContainText('特急');
  await expect(page.getByTestId('hotspots').locator('[data-testid^=layer-]')).toHaveCount(1);
  await page.getByTestId('hotspot-group').selectOption('order');
  await expect.poll(async () => Number(await map.getAttribute('data-heat-points'))).toBeLessThan(all);
  await expect(page.getByTestId('hotspot-count')).toHaveText(`${await map.getAttribute('data-heat-points')} 件事件`);
  await page.screenshot({ path: 'end2end/test-results/kpis-last-month.png', fullPage: true });

  // The posts ranked; one post's on-time handling down to its late cases.
  await page.getByTestId('group-by').selectOption('post');
  await expect(page.getByTestId('ranking')).toBeVisible();
  await expect(page.getByTestId('rank-row').first().getByTestId('score')).toHaveText(/^\d+\.\d$/);
  const row = page.locator('[data-testid=rank-row]').filter({ hasText: '城市管理' });
  const cell = row.locator('td[data-indicator=on_time_handling]').getByTestId('kpi-cell');
  await expect(cell).toHaveText(/^\d+\.\d%$/);
  await expect(cell).toBeEnabled();
  await cell.click();
  const down = page.getByTestId('drill-down');
  await expect(down).toContainText('城市管理 · 按期处置率');
  await expect(down.getByTestId('drill-case').first()).toBeVisible();
  const late = await down.getByTestId('drill-case').count();
  expect(late).toBeGreaterThan(0);
  await page.screenshot({ path: 'end2end/test-results/kpis-posts.png', fullPage: true });

  // The workbook: five sheets, the ranking with every post's score.
  const href = (await page.getByTestId('export-xlsx').getAttribute('href'))!;
  expect(href).toMatch(/^\/api\/v1\/kpis\.xlsx\?period=month&by=post&at=\d+$/);
  const x = await page.request.get(href);
  expect(x.status()).toBe(200);
  expect(x.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const parts = unzipStored(await x.body());
  expect([...parts.keys()]).toContain('xl/worksheets/sheet5.xml');
  expect(parts.get('xl/workbook.xml')).toContain('<sheet name="设备与企业"');
  expect(parts.get('xl/workbook.xml')).toMatch(/<sheet name="考核排名 \d{4}-\d{2}"/);
  const sheet = parts.get('xl/worksheets/sheet1.xml')!;
  expect(sheet).toContain('<t xml:space="preserve">城市管理</t>');
  expect(sheet).toContain('按期处置率 分子');
  expect((sheet.match(/<row /g) ?? []).length).toBe(1 + (await page.getByTestId('rank-row').count()));
  expect(problems).toEqual([]);
});

test('KPIs: the administrator changes a weight, and the scores follow', async ({ page }) => {
  await loginAs(page, 'guanliyuan');
  await historyPlayed(page);
  await page.goto('/kpis');
  await expect(page.getByTestId('kpi-report')).toBeVisible();
  await page.getByTestId('definitions').locator('summary').click();
  const rework = page.locator('[data-testid=weight][data-indicator=rework] input');
  await expect(rework).toHaveValue('10');
  await expect(page.getByTestId('save-weights')).toBeDisabled();
  await rework.fill('30');
  await rework.dispatchEvent('change');
  await page.getByTestId('save-weights').click();
  await expect(page.getByTestId('weights-message')).toContainText('考核权重已保存');
  await expect(rework).toHaveValue('30');
  const w = await (await page.request.get('/api/v1/kpis/weights')).json();
  expect(w.find((x: { indicator: string }) => x.indicator === 'rework').weight).toBe(30);
  // A weight out of range is named and nothing is sent.
  await rework.fill('300');
  await rework.dispatchEvent('change');
  await page.getByTestId('save-weights').click();
  await expect(page.getByTestId('weights-message')).toContainText('0–100');
  const again = await (await page.request.get('/api/v1/kpis/weights')).json();
  expect(again.find((x: { indicator: string }) => x.indicator === 'rework').weight).toBe(30);
  await page.screenshot({ path: 'end2end/test-results/kpis-weights.png', fullPage: true });
});
