/// <reference lib="dom" />
// The API reference as readers meet it: TypeDoc (every export documented, or it fails) writes
// it into a temp folder, @poor/static serves it, and headless Chromium follows every internal
// link from the index: each page answers 200 and each #fragment names an element on its page.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Application } from '@poor/core';
import { documentRoot } from '../src/index.js';
import { describeBrowser, launchBrowser } from '../../core/test/helpers/browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describeBrowser('the TypeDoc API reference in headless Chromium', () => {
  const out = mkdtempSync(join(tmpdir(), 'poor-api-'));
  let app: Application;
  let base = '';
  let browser: Browser;

  beforeAll(async () => {
    await promisify(execFile)(join(root, 'node_modules', '.bin', 'typedoc'), ['--out', out], { cwd: root });
    app = new Application('api-docs', { logger: false }).use(documentRoot(out));
    base = `http://127.0.0.1:${(await app.listen({ port: 0 })).port}`;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('has no broken internal link', { timeout: 300_000 }, async () => {
    const page = await browser.newPage();
    const seen = new Set<string>();
    const queue = [`${base}/index.html`];
    const fragments: Array<{ from: string; page: string; id: string }> = [];
    const ids = new Map<string, Set<string>>();
    const broken: string[] = [];
    while (queue.length > 0) {
      const url = queue.shift() as string;
      if (seen.has(url)) continue;
      seen.add(url);
      const reply = await page.goto(url);
      if (reply?.status() !== 200) {
        broken.push(`${url}: ${reply?.status() ?? 'no answer'}`);
        continue;
      }
      const found = await page.evaluate(() => ({
        links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
        ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || (e.getAttribute('name') ?? '')),
      }));
      ids.set(url, new Set(found.ids));
      for (const link of found.links) {
        if (!link.startsWith(base)) continue;
        const [target = '', id] = link.split('#');
        if (id) fragments.push({ from: url, page: target, id: decodeURIComponent(id) });
        if (target.endsWith('.html') && !seen.has(target)) queue.push(target);
      }
    }
    for (const { from, page: target, id } of fragments) {
      if (!ids.get(target)?.has(id)) broken.push(`${from} → ${target}#${id}`);
    }
    expect(broken).toEqual([]);
    // one module per package, and the pages for the main classes
    expect(seen.size).toBeGreaterThan(100);
    for (const name of ['Application', 'Request', 'Response', 'HTTPException']) {
      expect([...seen].some((url) => url.endsWith(`/classes/_poor_core.${name}.html`))).toBe(true);
    }
  });
});
