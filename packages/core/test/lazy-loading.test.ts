// What an app loads, and when: a GET or a JSON POST needs none of formidable, the MIME table or
// reflect-metadata; each is loaded by the first request (or decorator) that needs it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('loads formidable, mime and reflect-metadata only when first needed', () => {
  const probe = fileURLToPath(new URL('./fixtures/lazy-probe.mjs', import.meta.url));
  const output = execFileSync(process.execPath, [probe], { encoding: 'utf8' });
  const steps = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string; loaded: string[] })
      .map(({ step, loaded }) => [step, loaded]),
  );
  expect(steps['GET and POST JSON']).toEqual(['@poor/core']);
  // Each later step adds its package (and, for formidable, formidable's own dependencies).
  const added = (step: string, before: string): string[] =>
    (steps[step] ?? []).filter((name) => !(steps[before] ?? []).includes(name));
  expect(added('multipart', 'GET and POST JSON')).toContain('formidable');
  expect(added('a file type', 'multipart')).toEqual(['mime']);
  expect(added('a legacy decorator', 'a file type')).toEqual(['reflect-metadata']);
});

it("leaves Node's fetch API (undici, with tls and http2) unloaded until the app touches it", () => {
  // Reading `globalThis.Response` loads undici: 6.6 MB of RSS on Node 20 for an app that never
  // uses fetch. A fetch Response returned by a handler still works (response.test.ts). Node 22
  // and 24 load undici with node:http itself, so what counts is what Poor adds to that.
  const loaded = (body: string): string[] => {
    const script = `${body}
      console.log(JSON.stringify(process.moduleLoadList.filter((name) => /undici|http2|\\btls\\b/.test(name))));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    return JSON.parse(output) as string[];
  };
  const baseline = loaded(`
    const http = await import('node:http');
    const server = http.createServer((req, res) => res.end('hello'));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.close();`);
  const poor = loaded(`
    const core = await import('@poor/core');
    const app = new core.Application('lazy');
    app.route('/', () => 'hello');
    app.route('/echo', (req) => req.json, 'POST');
    await app.inject('/');
    await app.inject({ method: 'POST', url: '/echo', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    await app.inject('/missing');`);
  expect(poor.filter((name) => !baseline.includes(name))).toEqual([]);
});
