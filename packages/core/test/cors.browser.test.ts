/// <reference lib="dom" />
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Application, cors } from '../src/index.js';
import { describeBrowser, launchBrowser } from './helpers/browser.js';

// Two origins on loopback (the port makes the origin): a page served by one calls the API of
// the other, and Chromium itself decides what the page may read.
describeBrowser('cors() in headless Chromium', () => {
  const pages = new Application('pages', { logger: false });
  pages.route('/', () => '<!doctype html><title>page</title><p>page</p>');
  const strangers = new Application('strangers', { logger: false });
  strangers.route('/', () => '<!doctype html><title>stranger</title>');
  let pageOrigin = '';
  let strangerOrigin = '';
  let api: Application;
  let apiBase = '';
  let browser: Browser;

  beforeAll(async () => {
    pageOrigin = `http://127.0.0.1:${(await pages.listen({ port: 0 })).port}`;
    strangerOrigin = `http://127.0.0.1:${(await strangers.listen({ port: 0 })).port}`;
    api = new Application('api', { logger: false, addOns: [cors({ origins: [pageOrigin], credentials: true })] });
    api.route('/items/<id:int>', (req, id) => ({ id, method: req.method, token: req.headers.get('x-token') ?? null }), [
      'GET',
      'PUT',
    ]);
    apiBase = `http://127.0.0.1:${(await api.listen({ port: 0 })).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([pages.close(), strangers.close(), api?.close()]);
  });

  const call = async (origin: string): Promise<unknown> => {
    const page = await browser.newPage();
    try {
      await page.goto(origin + '/');
      return await page.evaluate(async (url) => {
        try {
          // PUT with a custom header: Chromium sends a preflight first.
          const reply = await fetch(url, { method: 'PUT', credentials: 'include', headers: { 'X-Token': 't1' } });
          return { status: reply.status, body: await reply.json() };
        } catch (error) {
          return { blocked: String(error) };
        }
      }, `${apiBase}/items/7`);
    } finally {
      await page.close();
    }
  };

  it('lets the allowed origin call with credentials after a preflight', async () => {
    expect(await call(pageOrigin)).toEqual({ status: 200, body: { id: 7, method: 'PUT', token: 't1' } });
  });

  it('blocks another origin', async () => {
    expect(await call(strangerOrigin)).toEqual({ blocked: expect.stringContaining('Failed to fetch') });
  });
});
