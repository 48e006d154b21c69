// @poor/vitest: one Vite plugin that lets vitest load decorated TypeScript. Vite 8 compiles
// TypeScript with Oxc, which keeps decorators as written (Node cannot run them); esbuild lowers
// TC39 standard decorators and legacy `experimentalDecorators` ones alike, so this plugin
// compiles the project's TypeScript with esbuild instead, in the mode its tsconfig.json names.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { transform, type TsconfigRaw } from 'esbuild';

/** Options of {@link decorators}. */
export interface DecoratorsOptions {
  /**
   * Legacy `experimentalDecorators` (true) or TC39 standard decorators (false). Default: what
   * the tsconfig file says (standard when it says nothing).
   */
  legacy?: boolean | undefined;
  /** The tsconfig file whose compiler options apply, relative to Vite's root (default `tsconfig.json`). */
  tsconfig?: string | undefined;
}

/** The part of a Vite plugin this one uses (typed here, so that any Vite from 6 to 8 accepts it). */
export interface DecoratorsPlugin {
  /** The plugin's name in Vite's messages. */
  name: string;
  /** Runs before Vite's own transforms. */
  enforce: 'pre';
  /** Turns Vite's own TypeScript transform off (Oxc in Vite 8, esbuild before). */
  config(): { oxc: false; esbuild: false };
  /** Reads the tsconfig file once Vite knows its root. */
  configResolved(config: { root: string }): void;
  /** Compiles one TypeScript module with esbuild. */
  transform(code: string, id: string): Promise<{ code: string; map: string } | null>;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** The compiler options esbuild is given: the tsconfig file's text (esbuild reads JSON with comments), and the mode if forced. */
function compilerSettings(root: string, options: DecoratorsOptions): TsconfigRaw | string {
  const file = options.tsconfig ?? 'tsconfig.json';
  const path = isAbsolute(file) ? file : join(root, file);
  if (options.tsconfig !== undefined && !existsSync(path)) throw new Error(`@poor/vitest: no tsconfig file at ${path}`);
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '{}';
  if (options.legacy === undefined) return text;
  // A forced mode: esbuild takes one object, so the file's own options are dropped but the mode.
  return { compilerOptions: { experimentalDecorators: options.legacy } };
}

/**
 * A Vite plugin for vitest that compiles the project's TypeScript with esbuild, so decorated
 * controllers load in both decorator modes (TC39 standard, and legacy when tsconfig.json sets
 * `experimentalDecorators` or `legacy: true`), with source maps.
 *
 * @example
 * // vitest.config.ts
 * import { decorators } from '@poor/vitest';
 * import { defineConfig } from 'vitest/config';
 * export default defineConfig({ plugins: [decorators()] });
 */
export function decorators(options: DecoratorsOptions = {}): DecoratorsPlugin {
  let settings: TsconfigRaw | string = '{}';
  return {
    name: '@poor/vitest:decorators',
    enforce: 'pre',
    config: () => ({ oxc: false, esbuild: false }),
    configResolved(config) {
      settings = compilerSettings(config.root, options);
    },
    async transform(code, id) {
      const file = id.replace(/[?#].*$/, '');
      if (!TYPESCRIPT.test(file)) return null;
      const out = await transform(code, {
        loader: file.endsWith('x') ? 'tsx' : 'ts',
        format: 'esm',
        target: 'es2022',
        sourcemap: 'external',
        sourcefile: file,
        tsconfigRaw: settings,
      });
      return { code: out.code, map: out.map };
    },
  };
}
