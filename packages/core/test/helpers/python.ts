import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'vitest';

/** Debian's Python (where `python3-requests` installs), else the one on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Imports `requests` (and its digest auth) or exits 3, which {@link runRequests} reads as "not installed". */
const PRELUDE = `
import sys, time
try:
    import requests
    from requests.auth import HTTPDigestAuth
except ImportError:
    sys.exit(3)
`;

/**
 * Runs a Python script using `requests` (a third-party client that writes its whole body before
 * reading) and resolves with what it printed. Without `requests` the test is skipped, except in
 * CI, where it fails: `.ci/run` installs python3-requests.
 */
export function runRequests(context: TestContext, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', PRELUDE + script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const missing = (): void => {
      if (process.env.CI) reject(new Error('python3-requests is required in CI'));
      else context.skip();
    };
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', missing);
    child.on('close', (code) => {
      if (code === 3) missing();
      else if (code === 0) resolve(out);
      else reject(new Error(`python failed (${String(code)}): ${err}`));
    });
  });
}
