// The HTML directory listing ("Index of /path/"): upstream's intended directory_index page,
// which 2.8.1 never manages to send (it answers 500, see the behaviour reference §7.2).
import type { Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { contentTypeFor, escapeHtml, htmlPage, httpDate, Response } from '@poor/core';

/** Size for people: whole bytes up to 1000 (`11 B`), then binary units with one decimal (`1.5 KiB`, `2.0 MiB`). */
export function humanSize(bytes: number): string {
  if (bytes <= 1000) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value > 1000 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit] as string}`;
}

/** Is `path` (symlinks resolved) the folder `root` or below it? */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

interface Row {
  name: string;
  directory: boolean;
  mtime: number;
  size: string;
  type: string;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

async function rowOf(dir: string, entry: Dirent, root: string): Promise<Row | undefined> {
  const path = join(dir, entry.name);
  try {
    if (entry.isSymbolicLink() && !isInside(root, await realpath(path))) return undefined; // never reveal escapes
    const info = await stat(path);
    const directory = info.isDirectory();
    return {
      name: entry.name,
      directory,
      mtime: info.mtimeMs,
      size: directory || !info.isFile() ? '-' : humanSize(info.size),
      type: directory ? 'Directory' : info.isFile() ? (contentTypeFor(entry.name).split(';')[0] as string) : '-',
    };
  } catch {
    return undefined; // unreadable or dangling: left out, as upstream does
  }
}

/** Options of {@link directoryListing}. */
export interface ListingOptions {
  /** The document root (symlinks resolved): no parent link there, no links leading out of it. */
  root: string;
}

/**
 * The listing of folder `dir`, shown at URL path `urlPath` (ending in `/`): directories
 * first, then files, each sorted by name; dotfiles and `~` backups are left out.
 */
export async function directoryListing(dir: string, urlPath: string, options: ListingOptions): Promise<Response> {
  const entries = await readdir(dir, { withFileTypes: true });
  const visible = entries.filter((entry) => !entry.name.startsWith('.') && !entry.name.endsWith('~'));
  const rows = (await Promise.all(visible.map((entry) => rowOf(dir, entry, options.root)))).filter(
    (row): row is Row => row !== undefined,
  );
  rows.sort((a, b) => Number(b.directory) - Number(a.directory) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = rows.map((row) => {
    const href = encodeURIComponent(row.name) + (row.directory ? '/' : '');
    const label = escapeHtml(row.name) + (row.directory ? '/' : '');
    return (
      `<tr><td><a href="${escapeHtml(href)}">${label}</a></td><td>${stamp(row.mtime)}</td>` +
      `<td style="text-align:right">${row.size}</td><td>${escapeHtml(row.type)}</td></tr>`
    );
  });
  if (dir !== options.root)
    lines.unshift(
      '<tr><td><a href="../">../</a></td><td></td><td style="text-align:right">-</td><td>Directory</td></tr>',
    );
  const table =
    '<table style="width:100%">\n' +
    '<thead><tr><th>Name</th><th>Last Modified</th><th style="text-align:right">Size</th><th>Type</th></tr></thead>\n' +
    `<tbody>\n${lines.join('\n')}\n</tbody>\n</table>`;
  const page = htmlPage(`Index of ${urlPath}`, table);
  // Validators that change with what the page shows: the folder's own mtime moves only when
  // entries come and go, not when a file inside is rewritten (its new size and time are
  // shown), so Last-Modified is the latest of all, and the ETag is a digest of the page itself
  // (Last-Modified has one-second resolution).
  const info = await stat(dir);
  const latest = rows.reduce((max, row) => Math.max(max, row.mtime), info.mtimeMs);
  const etag = `"${createHash('sha256').update(page).digest('base64url').slice(0, 27)}"`;
  return new Response(page, {
    contentType: 'text/html; charset=utf-8',
    headers: { 'Last-Modified': httpDate(latest), ETag: etag },
  });
}
