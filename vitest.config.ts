import { defineConfig } from 'vitest/config';

// One config for the repository. The `legacy` project re-runs every
// `*.decorators.test.ts` file compiled with `experimentalDecorators`, so the
// same controllers are proven in both TypeScript decorator modes.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'standard',
          include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
          exclude: ['**/*.serial.test.ts', '**/node_modules/**'],
        },
      },
      {
        // End-to-end tests of whole processes (graceful shutdown, a rolling restart behind
        // nginx): `npm test` runs them after the rest, one file at a time, so their dozens of
        // processes do not compete with the other suites (they wait for events, not times).
        extends: true,
        test: {
          name: 'serial',
          include: ['packages/*/test/**/*.serial.test.ts', 'examples/test/**/*.serial.test.ts'],
        },
      },
      {
        extends: true,
        esbuild: {
          tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
        },
        test: {
          name: 'legacy',
          include: ['packages/*/test/**/*.decorators.test.ts'],
        },
      },
    ],
  },
});
