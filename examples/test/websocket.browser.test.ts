/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser } from '../../packages/core/test/helpers/browser.js';
import { app } from '../websocket.js';

describeBrowser('examples/websocket.ts in headless Chromium', () => {
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    const { port } = await app.listen({ port: 0 });
    base = `http://127.0.0.1:${port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  it('greets, then shows a typed message in bold with an answer after it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
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
