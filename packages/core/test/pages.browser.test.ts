/// <reference lib="dom" />
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { abort, Application } from '../src/index.js';
import { describeBrowser, useBrowserApp } from './helpers/browser.js';

describeBrowser('built-in pages in headless Chromium', () => {
  const keep = process.env.POOR_SCREENSHOTS;
  let shots = '';
  const app = new Application('pages', { debug: true, secretKey: 'do-not-show', logger: false });
  app.route('/forbidden', () => abort(403));
  app.route('/crash', () => {
    throw new Error('exploded <b>here</b>');
  });
  app.route('/things/<id:int>', () => 'thing');
  app.route('/things', () => 'created', 'POST');

  const session = useBrowserApp(app);
  beforeAll(() => {
    shots = keep ?? mkdtempSync(join(tmpdir(), 'poor-pages-'));
  });
  afterAll(() => {
    if (!keep && shots) rmSync(shots, { recursive: true, force: true });
  });

  it.each([
    ['/missing<script>', 404, '404 - Not Found'],
    ['/forbidden', 403, '403 - Forbidden'],
    ['/things/7', 405, '405 - Method Not Allowed'],
  ])('renders %s as a %d page', async (path, status, heading) => {
    const page = await session.browser.newPage();
    const method = status === 405 ? 'POST' : 'GET';
    let response;
    if (method === 'POST') {
      await page.goto(`${session.base}/forbidden`);
      response = await page.evaluate(async (url) => {
        const reply = await fetch(url, { method: 'POST' });
        document.open();
        document.write(await reply.text());
        document.close();
        return reply.status;
      }, `${session.base}${path}`);
      expect(response).toBe(status);
    } else {
      const reply = await page.goto(`${session.base}${path}`);
      expect(reply?.status()).toBe(status);
    }
    expect(await page.locator('h1').innerText()).toBe(heading);
    expect(await page.title()).toBe(heading);
    // the escaped path is shown as text, never executed as markup
    expect(await page.locator('script').count()).toBe(0);
    const file = join(shots, `${status}.png`);
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(1000);
    await page.close();
  });

  it('renders the debug 500 page with the stack as text', async () => {
    const page = await session.browser.newPage();
    const reply = await page.goto(`${session.base}/crash`);
    expect(reply?.status()).toBe(500);
    expect(await page.locator('h1').innerText()).toBe('500 - Internal Server Error');
    expect(await page.locator('pre.traceback').innerText()).toContain('exploded <b>here</b>');
    expect(await page.locator('pre.traceback b').count()).toBe(0);
    await page.close();
  });

  it('renders /debug-info with its sections and masked secrets', async () => {
    const page = await session.browser.newPage();
    await page.setExtraHTTPHeaders({ cookie: 'session=cookie-value-123' });
    const reply = await page.goto(`${session.base}/debug-info`);
    expect(reply?.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('Poor Debug Info');
    for (const id of [
      'static-routes',
      'pattern-routes',
      'status-handlers',
      'hooks',
      'filters',
      'headers',
      'poor-variables',
      'process',
    ]) {
      expect(await page.locator(`section#${id} h2`).count()).toBe(1);
    }
    expect(await page.locator('section#pattern-routes td', { hasText: '/things/<id:int>' }).count()).toBe(1);
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('cookie-value-123');
    expect(text).not.toContain('do-not-show');
    const file = join(shots, 'debug-info.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(1000);
    await page.close();
  });
});
