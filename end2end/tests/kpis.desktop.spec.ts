import { test, expect } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

// The coordinator reads this month's figures, opens the cases behind the closure rate, ranks
// the posts, and exports the table.

test('KPIs: the month on cards, a figure down to its cases, the posts ranked, a CSV export', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('EventSource')) problems.push(m.text()); });
  await loginAs(page, 'zhihui');
  // An open case of this month: it keeps the closure rate below 100 %.
  const found = await (await page.request.get(`/api/v1/buildings?q=${encodeURIComponent('磁南街27号')}`)).json();
  const made = await apiPost(page, '/api/v1/cases', { category: 'greening.branch', description: '考核测试：行道树断枝', building_id: found[0].id });
  expect(made.status()).toBe(201);
  const reported = await made.json();
  const number = reported.case.number;
  // Dispatched to the post it suggests (城市管理), so that the posts' ranking has it.
  const d = await apiPost(page, `/api/v1/cases/${reported.case.id}/actions`, { action: 'dispatch', holders: [{ kind: 'post', id: reported.suggested_post[0] }] });
  expect(d.status()).toBe(200);

  await page.goto('/kpis');
  const report = page.getByTestId('kpi-report');
  await expect(report).toBeVisible();
  await expect(page.getByTestId('period-label')).toContainText('对比');
  const closure = page.locator('[data-testid=kpi-card][data-indicator=closure]');
  await expect(closure.getByTestId('kpi-value')).toHaveText(/^\d+\.\d%$/);
  await expect(closure.getByTestId('kpi-ratio')).toHaveText(/^\d+ \/ \d+$/);
  await page.screenshot({ path: 'end2end/test-results/kpis-month.png', fullPage: true });

  // The closure rate down to the cases not yet closed: ours among them.
  await closure.click();
  const down = page.getByTestId('drill-down');
  await expect(down).toBeVisible();
  await expect(down.getByTestId('drill-case').filter({ hasText: number })).toHaveCount(1);

  // The posts ranked by score, each with a grade.
  await page.getByTestId('group-by').selectOption('post');
  await expect(page.getByTestId('ranking')).toBeVisible();
  await expect(page.getByTestId('rank-row').first()).toBeVisible();
  await expect(page.getByTestId('rank-row').first().getByTestId('score')).toHaveText(/^\d+\.\d$/);
  await page.screenshot({ path: 'end2end/test-results/kpis-posts.png', fullPage: true });

  // The export holds the table.
  const href = await page.getByTestId('export-csv').getAttribute('href');
  expect(href).toMatch(/^data:text\/csv;charset=utf-8,/);
  const csv = decodeURIComponent(href!.split(',').slice(1).join(','));
  expect(csv).toContain('结案率');
  expect(csv.split('\r\n').length).toBeGreaterThan(2);

  // The month before, and back.
  const label = page.getByTestId('period-label');
  const shown = (await label.textContent())!;
  await page.getByTestId('period-before').click();
  await expect(label).not.toHaveText(shown);
  await expect(label).toContainText(shown.split('（对比 ')[1].replace('）', '') + '（');
  expect(problems).toEqual([]);
});
