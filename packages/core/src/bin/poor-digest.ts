#!/usr/bin/env node
// poor-digest: manages htdigest password files for HTTP Digest authentication, with upstream's
// options. Exit codes: 0 done (or "Valid user."), 1 failure (passwords differ, I/O error),
// 2 usage error (or "Invalid user.").
import { existsSync, readFileSync } from 'node:fs';
import { hexdigest, PasswordMap, type DigestHash } from '../settings/password-map.js';

const USAGE = `usage: poor-digest [-c] [-n] [-m | -s] [-D] [-v] [--stdin] [passwordfile] realm username

Manages an htdigest file (user:realm:HA1 lines) for HTTP Digest authentication.

options:
  -c         create a new file (an existing one is replaced)
  -n         touch no file: print user:realm:HA1 on standard output
  -m         MD5 HA1 (the default)
  -s         SHA-256 HA1
  -D         delete the user
  -v         verify the user's password (exit 0 "Valid user.", 2 "Invalid user.")
  --stdin    read the password from the first line of standard input (no prompt)
  -h, --help this help
  --version  the version`;

class UsageError extends Error {}

interface Options {
  create: boolean;
  dryRun: boolean;
  hash: DigestHash;
  remove: boolean;
  verify: boolean;
  stdin: boolean;
  file: string | undefined;
  realm: string;
  user: string;
}

function parseArgs(argv: string[]): Options | 'help' | 'version' {
  const flags = new Set<string>();
  const positional: string[] = [];
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--version') return 'version';
    if (arg === '--stdin') flags.add('stdin');
    else if (/^-[cnmsDv]+$/.test(arg)) for (const flag of arg.slice(1)) flags.add(flag);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const dryRun = flags.has('n');
  if (positional.length !== 3 && !(dryRun && positional.length === 2)) {
    const message =
      positional.length === 2 ? 'Password file argument is required.' : 'expected [passwordfile] realm username';
    throw new UsageError(message);
  }
  const [file, realm, user] = positional.length === 3 ? positional : [undefined, ...positional];
  if (flags.has('m') && flags.has('s')) throw new UsageError('-m and -s exclude each other');
  return {
    create: flags.has('c'),
    dryRun,
    hash: flags.has('s') ? 'sha256' : 'md5',
    remove: flags.has('D'),
    verify: flags.has('v'),
    stdin: flags.has('stdin'),
    file: dryRun ? undefined : file,
    realm: realm as string,
    user: user as string,
  };
}

/** Reads one line from standard input (piped), or asks for it without echo (a terminal). */
function readPassword(prompt: string, fromStdin: boolean): Promise<string> {
  const input = process.stdin;
  if (fromStdin || !input.isTTY) {
    return new Promise((resolve) => {
      let text = '';
      input.setEncoding('utf8');
      const onData = (chunk: string): void => {
        text += chunk;
        const end = text.indexOf('\n');
        if (end !== -1) finish(text.slice(0, end));
      };
      const finish = (line: string): void => {
        input.off('data', onData);
        input.pause();
        resolve(line.replace(/\r$/, ''));
      };
      input.on('data', onData);
      input.once('end', () => finish(text));
    });
  }
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    let text = '';
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          input.off('data', onData);
          input.setRawMode(false);
          input.pause();
          process.stderr.write('\n');
          resolve(text);
          return;
        }
        if (char === '\u0003') {
          process.stderr.write('\n');
          process.exit(1);
        }
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else text += char;
      }
    };
    input.on('data', onData);
  });
}

async function newPassword(options: Options): Promise<string> {
  const password = await readPassword('New password: ', options.stdin);
  if (options.stdin || !process.stdin.isTTY) return password;
  const again = await readPassword('Re-type new password: ', false);
  if (again !== password) {
    console.error("They don't match, sorry.");
    process.exit(1);
  }
  return password;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`poor-digest (@poor/core) ${pkg.version}`);
    return 0;
  }
  const options = parsed;
  if (options.dryRun) {
    console.log(
      `${options.user}:${options.realm}:${hexdigest(options.user, options.realm, await newPassword(options), options.hash)}`,
    );
    return 0;
  }
  const file = options.file as string;
  const exists = existsSync(file);
  if (!exists && (options.verify || options.remove || !options.create))
    throw new UsageError('Password file not found.');
  const map = exists && !options.create ? PasswordMap.loadSync(file) : new PasswordMap(file);
  if (options.verify) {
    const valid = map.verify(options.realm, options.user, await readPassword('Password: ', options.stdin));
    console.log(valid ? 'Valid user.' : 'Invalid user.');
    return valid ? 0 : 2;
  }
  if (options.remove) {
    const removed = map.delete(options.realm, options.user);
    console.log(removed ? `User \`${options.user}\` was deleted.` : `User \`${options.user}\` not found.`);
    if (removed) await map.save();
    return 0;
  }
  const known = map.find(options.realm, options.user) !== undefined;
  const password = await newPassword(options);
  map.replace(options.realm, options.user, hexdigest(options.user, options.realm, password, options.hash));
  console.log(
    known
      ? `Changing password for user \`${options.user}\` in realm \`${options.realm}\`.`
      : `Adding user \`${options.user}\` in realm \`${options.realm}\`.`,
  );
  await map.save();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${USAGE.split('\n')[0] as string}\npoor-digest: error: ${error.message}`);
      process.exit(2);
    }
    console.error(`poor-digest: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
