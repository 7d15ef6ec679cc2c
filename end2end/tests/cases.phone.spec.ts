import { test, expect, Page } from '@playwright/test';
import { apiPost, loginAs } from './helpers';

/** An 8 × 8 blue PNG, as a phone camera would send a photo. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGPQqDiBFTEMLQkAAtVaAcSRe60AAAAASUVORK5CYII=';

test('a grid worker finds their reports and tasks on the phone, with large targets', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  const created = await apiPost(page, '/api/v1/cases', { category: 'environment.litter', description: '垃圾桶满溢，周边有散落垃圾', building_id: 1 });
  expect(created.status()).toBe(201);
  const number = (await created.json()).case.number;
  await page.goto('/m/tasks');
  await expect(page.locator('[data-testid=task-lists][data-live]')).toHaveCount(1);
  await expect(page.getByTestId('my-reports')).toContainText(number.slice(-5));
  const card = page.getByTestId('my-reports').getByTestId('case-card').first();
  const box = await card.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(48);
  await expect(page.getByRole('link', { name: '＋ 上报事件' })).toBeVisible();
  await page.screenshot({ path: 'end2end/test-results/tasks-phone.png', fullPage: true });
  await card.click();
  await expect(page).toHaveURL(/\/cases\/\d+$/);
  await expect(page.getByTestId('case-address')).not.toBeEmpty();
  // No sideways scrolling on the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the report form says what is missing', async ({ page }) => {
  await loginAs(page, 'wanggeyuan');
  await page.goto('/report');
  await expect(page.locator('form[data-ready]')).toHaveCount(1);
  await page.getByTestId('category').selectOption('greening.branch');
  await page.getByTestId('description').fill('断枝');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('report-error')).toContainText('请选择事件地点');
  await page.getByTestId('building').first().click();
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('report-error')).toContainText('至少 4 个字');
});

test('a resident reports a blocked drain with two photos and their location, follows it to closure, rates it 2 stars, and the command staff review it', async ({ page, browser }) => {
  // 磁南街27号, where the drain is; a neighbour reported it already this morning.
  const building = (await (await page.request.get('/api/v1/public/buildings?q=' + encodeURIComponent('磁南街27号'))).json())[0];
  const earlier = await apiPost(page, '/api/v1/public/reports', { category: 'environment.drain', description: '井口冒水，有臭味', building_id: building.id, reporter_phone: '13800001111' });
  expect(earlier.status()).toBe(201);
  await page.context().grantPermissions(['geolocation']);
  await page.context().setGeolocation({ longitude: building.lon, latitude: building.lat + 0.00003 });

  const refused: string[] = [];
  page.on('console', (m) => { if (m.text().includes('Content Security Policy')) refused.push(m.text()); });
  await page.goto('/r');
  await expect(page.locator('form[data-ready]')).toHaveCount(1);
  await expect(page).toHaveURL(/\/r$/);
  await page.getByTestId('category').selectOption('environment.drain');
  await page.getByTestId('description').fill('下水道堵了，污水漫到路上');
  // A tap on the small map picks the place (the map shows the street's own basemap).
  await page.getByTestId('open-map').click();
  await expect(page.locator('[data-testid=pick-map][data-loaded]')).toHaveCount(1);
  const at = await page.evaluate(([lon, lat]) => {
    const m = (window as any).zhizhiPickMap;
    m.jumpTo({ center: [lon, lat], zoom: 17 });
    const p = m.project([lon, lat]);
    return { x: p.x, y: p.y };
  }, [building.lon, building.lat]);
  await page.getByTestId('pick-map').click({ position: at });
  await expect(page.getByTestId('chosen-place')).toContainText('磁南街27号 附近');
  // Or the phone's location: the nearest address, and the report already open there.
  await page.getByTestId('locate').click();
  await expect(page.getByTestId('chosen-place')).toContainText(/磁南街27号 附近 \(106\.\d{5}/);
  await expect(page.getByTestId('nearby')).toContainText('这里已有人报告');
  await expect(page.getByTestId('nearby-report').first()).toContainText('下水道堵塞');
  await expect(page.getByTestId('nearby-report').first()).toContainText('已收到，等待受理');
  // Two photos from the phone.
  const png = Buffer.from(PNG, 'base64');
  await page.getByTestId('photos').setInputFiles([
    { name: 'drain-1.png', mimeType: 'image/png', buffer: png },
    { name: 'drain-2.png', mimeType: 'image/png', buffer: png },
  ]);
  await expect(page.getByTestId('photos-chosen')).toHaveText('已选 2 张照片');
  await page.screenshot({ path: 'end2end/test-results/public-form-phone.png', fullPage: true });
  expect(refused, 'the page policy lets the form, the map and its worker run').toEqual([]);
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('public-error')).toContainText('11 位手机号码');
  await page.getByTestId('name').fill('张三');
  await page.getByTestId('phone').fill('13912345678');
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('receipt-number')).toHaveText(/^SJ\d{8}-\d{5}$/);
  await expect(page.getByTestId('receipt-photos')).toHaveText('已附照片 2 张');
  const number = (await page.getByTestId('receipt-number').textContent())!;
  await page.screenshot({ path: 'end2end/test-results/public-report-phone.png', fullPage: true });

  // The private follow link: where the report stands, in plain words.
  await page.getByTestId('follow-link').click();
  await expect(page).toHaveURL(/\/f\/[0-9a-f]{64}$/);
  await expect(page.getByTestId('follow-number')).toHaveText(number);
  await expect(page.getByTestId('follow-now')).toHaveText('已收到，等待受理');
  await expect(page.getByTestId('own-photos').locator('img')).toHaveCount(2);
  await expect(page.getByTestId('rate-form')).toHaveCount(0);

  // The street works it: the command centre dispatches, 城市管理 handles it with a photo, it is
  // verified and closed (through the API, as their pages would).
  const staff = await browser.newContext();
  const [command, city] = [await staff.newPage(), await (await browser.newContext()).newPage()];
  await loginAs(command, 'zhihui');
  await loginAs(city, 'chengguan');
  const list = await (await command.request.get('/api/v1/cases?limit=50')).json();
  const id = list.cases.find((c: { number: string }) => c.number === number).id;
  const detail = await (await command.request.get(`/api/v1/cases/${id}`)).json();
  const act = async (who: Page, body: unknown) => expect((await apiPost(who, `/api/v1/cases/${id}/actions`, body)).status()).toBe(200);
  await act(command, { action: 'dispatch', holders: [{ kind: 'post', id: detail.suggested_post[0] }] });
  const task = (await (await command.request.get(`/api/v1/cases/${id}`)).json()).case.tasks[0].id;
  const photo = await city.request.post(`/api/v1/cases/${id}/photos`, { data: Buffer.from(PNG, 'base64'), headers: { 'content-type': 'image/png', 'Sec-Fetch-Site': 'same-origin' } });
  expect(photo.status()).toBe(201);
  await act(city, { action: 'report_back', task_id: task, note: '已疏通管道，路面已冲洗' });
  await act(command, { action: 'verify' });
  const satisfaction = async () => {
    const r = await (await command.request.get('/api/v1/kpis?period=month')).json();
    return r.rows[0].figures.find((f: { indicator: string }) => f.indicator === 'satisfaction');
  };
  await act(command, { action: 'close' });
  const before = await satisfaction();

  // Back on the phone: done, with the result and its photo; rated 2 stars with a comment.
  await page.reload();
  await page.locator('html[data-hydrated]').waitFor();
  await expect(page.getByTestId('follow-now')).toHaveText('已办结');
  await expect(page.getByTestId('follow-handlers')).toContainText('城市管理');
  await expect(page.getByTestId('follow-result')).toContainText('已疏通管道');
  const img = page.getByTestId('result-photos').locator('img');
  await expect(img).toHaveCount(1);
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(8);
  await expect(page.getByTestId('rate-submit')).toBeDisabled();
  await page.getByTestId('star-2').click();
  await expect(page.getByTestId('star-words')).toHaveText('不满意');
  await page.getByTestId('rate-comment').fill('处理太慢，第二天又堵了');
  await page.getByTestId('rate-submit').click();
  await expect(page.getByTestId('follow-rated').locator('.stars')).toHaveAttribute('data-score', '2');
  await expect(page.getByTestId('follow-rated')).toContainText('处理太慢');
  await expect(page.getByTestId('follow-stages')).toContainText('居民评价：2 星');
  await page.screenshot({ path: 'end2end/test-results/follow-rated-phone.png', fullPage: true });
  const after = await satisfaction();
  expect([after.numerator, after.denominator]).toEqual([before.numerator, before.denominator + 1]);

  // The command staff find the low rating on the board and conclude its review.
  await command.goto('/board');
  const reviews = command.getByTestId('reviews');
  await expect(reviews).toContainText(number);
  await reviews.getByTestId('review-item').filter({ hasText: number }).click();
  await expect(command.getByTestId('rating')).toHaveAttribute('data-score', '2');
  await expect(command.getByTestId('rating-comment')).toHaveText('处理太慢，第二天又堵了');
  // Before calling back: the number is masked until revealed with a reason (audited).
  await expect(command.getByTestId('contact-masked')).toHaveText('张* · 139****5678');
  await command.getByTestId('reveal-contact').click();
  await command.getByTestId('reveal-reason').fill('差评回访，核实情况');
  await command.getByTestId('reveal-confirm').click();
  await expect(command.getByTestId('contact-phone')).toHaveAttribute('href', 'tel:13912345678');
  await command.getByTestId('review-note').fill('已回访，安排二次清掏并向居民说明');
  await command.getByTestId('review-save').click();
  await expect(command.getByTestId('review-done')).toContainText('已回访');
  await expect(reviews.getByTestId('review-item').filter({ hasText: number })).toHaveCount(0);
  await command.screenshot({ path: 'end2end/test-results/review-board-phone.png', fullPage: true });
  await staff.close();
});
