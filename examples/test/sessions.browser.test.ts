/// <reference lib="dom" />
// The log-in flows of examples/session.ts (JWT in a Session cookie) and examples/poor-session.ts
// (PoorSession) in headless Chromium: form post, redirect, private page, log-out.
import { expect, it } from 'vitest';
import { describeBrowser, useBrowserApp } from '../../packages/core/test/helpers/browser.js';
import { app as jwtSession } from '../session.js';
import { app as poorSession } from '../poor-session.js';

for (const [name, app] of [
  ['session', jwtSession],
  ['poor-session', poorSession],
] as const) {
  describeBrowser(`examples/${name}.ts log-in in headless Chromium`, () => {
    const session = useBrowserApp(app);

    it('logs in through the form, shows the private page, logs out', async () => {
      const context = await session.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${session.base}/private`);
      expect(new URL(page.url()).pathname).toBe('/login'); // not logged in yet
      await page.fill('input[name="username"]', 'wrong');
      await page.fill('input[name="password"]', 'nope');
      await Promise.all([
        page.waitForURL(`${session.base}/login`),
        page.getByRole('button', { name: 'Log in' }).click(),
      ]);
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', 'secret');
      await Promise.all([
        page.waitForURL(`${session.base}/private`),
        page.getByRole('button', { name: 'Log in' }).click(),
      ]);
      expect(await page.locator('strong').innerText()).toBe('alice');
      const [cookie] = await context.cookies();
      expect([cookie?.name, cookie?.httpOnly, cookie?.sameSite, cookie?.path]).toEqual(['SESSID', true, 'Lax', '/']);
      if (name === 'poor-session') expect(cookie?.value).not.toContain('alice'); // sealed, not readable
      await Promise.all([
        page.waitForURL(`${session.base}/login`),
        page.getByRole('link', { name: 'Log out' }).click(),
      ]);
      expect(await context.cookies()).toEqual([]);
      await page.goto(`${session.base}/private`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await context.close();
    });
  });
}
