/// <reference lib="dom" />
import { expect, it } from 'vitest';
import { describeBrowser, useBrowserApp } from '../../packages/core/test/helpers/browser.js';
import { app } from '../simple.js';

describeBrowser('examples/simple.ts /test/upload in headless Chromium', () => {
  const session = useBrowserApp(app);

  it('uploads the chosen files and shows their content on the result page', async () => {
    const page = await session.browser.newPage();
    const reply = await page.goto(`${session.base}/test/upload`);
    expect(reply?.status()).toBe(200);
    const note = 'Hello from <Chromium> & friends\nsecond line';
    const binary = Buffer.from([0, 1, 2, 250, 251, 252]);
    await page.setInputFiles('input[name="file_0"]', {
      name: 'note.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(note),
    });
    await page.setInputFiles('input[name="file_1"]', {
      name: 'data.bin',
      mimeType: 'application/octet-stream',
      buffer: binary,
    });
    await Promise.all([
      page.waitForURL(`${session.base}/test/upload`),
      page.getByRole('button', { name: 'Upload' }).click(),
    ]);
    await page.waitForSelector('h2:has-text("note.txt")');
    const sections = await page.locator('pre').allInnerTexts();
    expect(sections).toContain(note);
    expect(sections).toContain(binary.toString('base64'));
    expect(await page.locator('h2').allInnerTexts()).toEqual(expect.arrayContaining(['note.txt', 'data.bin']));
    expect(await page.locator('script').count()).toBe(0);
    await page.close();
  });
});
