// The poor-digest CLI, run as users run it: the built bin (npm run build) with node.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hexdigest, PasswordMap } from '../src/index.js';
import { useCleanup } from './helpers/transports.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin', 'poor-digest.js');
const { tempDir } = useCleanup();

function run(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(input);
  });
}

describe('poor-digest', () => {
  it('creates, adds, changes, verifies and deletes users (exit codes 0/2)', async () => {
    const file = join(tempDir(), 'users.digest');
    expect(await run(['-c', '--stdin', file, 'User Zone', 'user'], 'looser\n')).toMatchObject({
      code: 0,
      out: 'Adding user `user` in realm `User Zone`.\n',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await run(['-s', '--stdin', file, 'User Zone', 'sha'], 'sha\n')).code).toBe(0);
    expect((await run(['--stdin', file, 'User Zone', 'user'], 'new\n')).out).toBe(
      'Changing password for user `user` in realm `User Zone`.\n',
    );
    expect(readFileSync(file, 'utf8')).toBe(
      `user:User Zone:${hexdigest('user', 'User Zone', 'new')}\nsha:User Zone:${hexdigest('sha', 'User Zone', 'sha', 'sha256')}\n`,
    );
    expect(PasswordMap.loadSync(file).verify('User Zone', 'sha', 'sha')).toBe(true);
    expect(await run(['-v', '--stdin', file, 'User Zone', 'user'], 'new\n')).toMatchObject({
      code: 0,
      out: 'Valid user.\n',
    });
    expect(await run(['-v', '--stdin', file, 'User Zone', 'user'], 'old\n')).toMatchObject({
      code: 2,
      out: 'Invalid user.\n',
    });
    expect(await run(['-D', file, 'User Zone', 'user'])).toMatchObject({ code: 0, out: 'User `user` was deleted.\n' });
    expect((await run(['-D', file, 'User Zone', 'user'])).out).toBe('User `user` not found.\n');
  });

  it('prints without a file (-n), and reports usage errors with exit code 2', async () => {
    expect(await run(['-n', '--stdin', 'Zone', 'alice'], 'pw\n')).toMatchObject({
      code: 0,
      out: `alice:Zone:${hexdigest('alice', 'Zone', 'pw')}\n`,
    });
    const missing = join(tempDir(), 'none.digest');
    expect(await run(['--stdin', missing, 'Zone', 'alice'], 'pw\n')).toMatchObject({ code: 2 });
    expect((await run(['Zone', 'alice'])).err).toContain('Password file argument is required.');
    expect((await run(['-m', '-s', missing, 'Zone', 'a'])).code).toBe(2);
    expect((await run(['-x', missing, 'Zone', 'a'])).code).toBe(2);
    const help = await run(['--help']);
    expect([help.code, help.out.split('\n')[0]]).toEqual([
      0,
      'usage: poor-digest [-c] [-n] [-m | -s] [-D] [-v] [--stdin] [passwordfile] realm username',
    ]);
    expect((await run(['--version'])).out).toMatch(/^poor-digest \(@poor\/core\) \d+\.\d+\.\d+\n$/);
  });
});

describe('poor-digest on a terminal', () => {
  /** Runs the bin on a pseudo-terminal (util-linux `script`), typing `keys` with pauses. */
  function onTerminal(keys: string[]): Promise<{ code: number; screen: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-q', '-e', '-c', `"${process.execPath}" "${bin}" -n Zone alice`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, screen }));
      let delay = 400;
      for (const key of keys) {
        setTimeout(() => child.stdin.write(key), delay);
        delay += 300;
      }
      setTimeout(() => child.stdin.end(), delay + 300);
    });
  }

  it.runIf(existsSync('/usr/bin/script'))('prompts twice without echo; a mismatch exits 1', async () => {
    const typed = await onTerminal(['hidden-pw\r', 'hidden-pw\r']);
    expect(typed.code).toBe(0);
    expect(typed.screen).toContain('New password: ');
    expect(typed.screen).toContain('Re-type new password: ');
    expect(typed.screen).toContain(`alice:Zone:${hexdigest('alice', 'Zone', 'hidden-pw')}`);
    expect(typed.screen).not.toContain('hidden-pw');
    const mismatch = await onTerminal(['one\r', 'two\r']);
    expect([mismatch.code, mismatch.screen.includes("They don't match, sorry.")]).toEqual([1, true]);
  });
});
