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
