/// <reference lib="dom" />
// The docs page of examples/code-first.ts in headless Chromium: Swagger UI, served by the app
// from swagger-ui-dist (no CDN: any request elsewhere fails the test), lists every operation of
// the generated document, and "Try it out" of one operation reaches the app.
import { expect, it } from 'vitest';
import { describeBrowser, useBrowserApp } from '../../packages/core/test/helpers/browser.js';
import { api, app } from '../code-first.js';

describeBrowser('the docs page of examples/code-first.ts in headless Chromium', () => {
  const session = useBrowserApp(app);
  const seen: string[] = [];
  app.before((req) => {
    seen.push(`${req.method} ${req.path}`);
  });

  it('loads from the app alone and lists every operation of the document', async () => {
    const page = await session.browser.newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(session.base)) elsewhere.push(request.url());
    });
    await page.goto(`${session.base}/docs`);
    expect(await page.title()).toBe('Notes');
    await page.locator('.opblock').first().waitFor();
    const document = api.document as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const shown = await page.locator('.opblock-summary').evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    expect(shown.sort()).toEqual(expected.sort());
    expect(shown).toHaveLength(5);
    expect(elsewhere).toEqual([]);
    await page.close();
  });

  it('"Try it out" of GET /notes reaches the app and shows its answer', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.base}/docs`);
    const block = page.locator('.opblock-get', { has: page.locator('[data-path="/notes"]') });
    await block.locator('.opblock-summary').click();
    await block.locator('.try-out__btn').click();
    seen.length = 0;
    await block.locator('.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.innerText()).trim()).toBe('200');
    expect(await block.locator('.live-responses-table .response-col_description pre').first().innerText()).toContain(
      'Try the docs page',
    );
    expect(seen).toContain('GET /notes');
    await page.close();
  });
});
