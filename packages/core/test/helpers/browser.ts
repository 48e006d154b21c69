import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

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
