import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';

// The command centre's story on a wall or desktop screen.

test('command staff sign in on the desktop, see the whole street, and sign out', async ({ page }) => {
  await loginAs(page, 'zhihui');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-menu')).toContainText('指挥中心值班员');
  await expect(page.getByTestId('user-menu')).toContainText('指挥中心');
  await expect(page.getByTestId('kpi-grids')).toContainText('33');
  await page.screenshot({ path: 'end2end/test-results/command-signed-in.png' });

  await page.getByRole('button', { name: '退出' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});
