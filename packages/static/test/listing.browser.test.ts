/// <reference lib="dom" />
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Application } from '@poor/core';
import { describeBrowser, useBrowserApp } from '../../core/test/helpers/browser.js';
import { documentRoot } from '../src/index.js';
import { makeFixture, type Fixture } from './fixture.js';

describeBrowser('directory listing in headless Chromium', () => {
  let fixture: Fixture;
  const session = useBrowserApp(() => {
    fixture = makeFixture();
    return new Application('listing', { logger: false }).use(documentRoot(fixture.root, { index: true }));
  });
  afterAll(() => fixture?.remove());

  it('renders the root listing with escaped names, directories first, and a screenshot', async () => {
    const page = await session.browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const reply = await page.goto(`${session.base}/`);
    expect(reply?.status()).toBe(200);
    expect(await page.title()).toBe('Index of /');
    expect(await page.locator('h1').innerText()).toBe('Index of /');
    const names = await page.locator('tbody tr td:first-child').allInnerTexts();
    // no parent link at the root; directories first; hidden, backup and escaping entries left out
    expect(names.slice(0, 3)).toEqual(['dir.txt/', 'site/', 'sub/']);
    expect(names).toContain(fixture.hostile);
    expect(names).toContain('ünïcödé.txt');
    expect(names).toContain('inside-link');
    for (const hidden of ['../', '.secret', 'backup.txt~', '.hidden-dir/', 'outside-file', 'outside-dir/']) {
      expect(names).not.toContain(hidden);
    }
    expect(await page.locator('script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    const headers = await page.locator('thead th').allInnerTexts();
    expect(headers).toEqual(['Name', 'Last Modified', 'Size', 'Type']);
    const shot = join(fixture.base, 'listing.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(1000);
    await page.close();
  });

  it('follows links: into a directory, up with ../, and to a hostile file name', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.base}/`);
    await page.getByRole('link', { name: 'sub/' }).click();
    await page.waitForURL(`${session.base}/sub/`);
    expect(await page.locator('h1').innerText()).toBe('Index of /sub/');
    await page.getByRole('link', { name: '../' }).click();
    await page.waitForURL(`${session.base}/`);
    await page.getByRole('link', { name: fixture.hostile }).click();
    expect((await page.locator('body').innerText()).trim()).toBe('hostile');
    await page.close();
  });
});
