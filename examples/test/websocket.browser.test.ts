/// <reference lib="dom" />
import { expect, it } from 'vitest';
import { describeBrowser, useBrowserApp } from '../../packages/core/test/helpers/browser.js';
import { app } from '../websocket.js';

describeBrowser('examples/websocket.ts in headless Chromium', () => {
  const session = useBrowserApp(app);

  it('greets, then shows a typed message in bold with an answer after it', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.base}/`);
    expect(await page.title()).toBe('WebSocket Example');
    await page.locator('#board div').first().waitFor();
    expect(await page.locator('#board div').first().innerText()).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Hello$/);
    await page.fill('#message', 'Test <img src=x onerror=alert(1)>');
    await page.click('button');
    await page.locator('#board div').nth(2).waitFor();
    const bold = page.locator('#board div').nth(1).locator('b');
    expect(await bold.innerText()).toBe('Test <img src=x onerror=alert(1)>');
    expect(await page.locator('#board img').count()).toBe(0);
    expect(await page.locator('#board div').nth(2).innerText()).toMatch(/^\[[\d :-]+\] .+$/);
    expect(await page.inputValue('#message')).toBe('');
    await page.close();
  });
});
