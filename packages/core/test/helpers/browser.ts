import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Resolves Chromium: env POOR_CHROMIUM, else Debian's /usr/bin/chromium or chromium-browser. */
export function findChromium(): string | undefined {
  const candidates = [process.env.POOR_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => typeof path === 'string' && path !== '' && existsSync(path));
}

let warned = false;

/**
 * A `describe` that runs only when Chromium is installed. Without it the suite is skipped with
 * a message, or fails when POOR_BROWSER_REQUIRED=1 (as in CI).
 */
export function describeBrowser(name: string, suite: () => void): void {
  if (findChromium()) {
    describe(name, suite);
    return;
  }
  if (process.env.POOR_BROWSER_REQUIRED === '1') {
    throw new Error('Chromium is required (POOR_BROWSER_REQUIRED=1) but not installed: apt-get install chromium');
  }
  if (!warned) {
    warned = true;
    console.warn('browser tests skipped: no Chromium found (apt-get install chromium, or set POOR_CHROMIUM)');
  }
  describe.skip(`${name} (skipped: no Chromium installed)`, suite);
}

/** Launches headless Chromium (Playwright gives it a fresh profile) with the flags this sandbox needs. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What {@link useBrowserApp} needs of an application (from the sources or the built package). */
export interface ServedApp {
  listen(options: { port: number }): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** The running app's base URL and the browser, filled in before the suite's tests run. */
export interface BrowserSession {
  base: string;
  browser: Browser;
}

/**
 * For a suite: starts the app on a free port and a headless Chromium before the tests, and
 * closes both after them. `app` may be a function, called in `beforeAll` (for set-up work).
 */
export function useBrowserApp(app: ServedApp | (() => ServedApp)): BrowserSession {
  const session = {} as BrowserSession;
  let served: ServedApp | undefined;
  beforeAll(async () => {
    served = typeof app === 'function' ? app() : app;
    const { port } = await served.listen({ port: 0 });
    session.base = `http://127.0.0.1:${port}`;
    session.browser = await launchBrowser();
  });
  afterAll(async () => {
    await session.browser?.close();
    await served?.close();
  });
  return session;
}
