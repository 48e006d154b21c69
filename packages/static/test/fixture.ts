// A document-root fixture with hostile names, built fresh in a temporary folder:
//
//   <tmp>/root/                      the document root
//     hello.txt  empty.txt  big.bin (1 MiB)  a..b.txt  with space.txt  ünïcödé.txt
//     <script>alert(1)<!-- x.txt    .secret   backup.txt~   style.css (+ .br, .gz)
//     dir.txt/inner.txt              a directory named like a file
//     sub/nested.txt  sub/deeper/    site/index.html   .hidden-dir/file.txt
//     inside-link -> hello.txt       outside-file -> ../outside/passwd.txt
//     outside-dir -> ../outside
//   <tmp>/outside/passwd.txt         must never be served
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/** The fixture's folders and contents. */
export interface Fixture {
  base: string;
  root: string;
  big: Buffer;
  css: string;
  hostile: string;
  remove(): void;
}

/** Builds the fixture tree; call `remove()` when done. */
export function makeFixture(): Fixture {
  const base = mkdtempSync(join(tmpdir(), 'poor-static-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'passwd.txt'), 'root:x:0:0\n');
  for (const dir of ['dir.txt', 'sub/deeper', 'site', '.hidden-dir']) mkdirSync(join(root, dir), { recursive: true });
  const big = randomBytes(1 << 20);
  const css = 'body { color: red; }\n'.repeat(50);
  const hostile = '<script>alert(1)<!-- x.txt';
  const files: Record<string, string | Buffer> = {
    'hello.txt': 'hello\n',
    'empty.txt': '',
    'big.bin': big,
    'a..b.txt': 'dots inside\n',
    'with space.txt': 'space\n',
    'ünïcödé.txt': 'unicode\n',
    [hostile]: 'hostile\n',
    '.secret': 'secret\n',
    'backup.txt~': 'backup\n',
    'style.css': css,
    'style.css.br': brotliCompressSync(css),
    'style.css.gz': gzipSync(css),
    'dir.txt/inner.txt': 'inner\n',
    'sub/nested.txt': 'nested\n',
    'site/index.html': '<!DOCTYPE html><title>site</title><p>site index</p>\n',
    '.hidden-dir/file.txt': 'hidden\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  symlinkSync('hello.txt', join(root, 'inside-link'));
  symlinkSync(join(outside, 'passwd.txt'), join(root, 'outside-file'));
  symlinkSync(outside, join(root, 'outside-dir'));
  return { base, root, big, css, hostile, remove: () => rmSync(base, { recursive: true, force: true }) };
}
