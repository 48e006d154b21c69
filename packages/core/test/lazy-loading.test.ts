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
