import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      pax8: 'src/providers/pax8/index.ts',
      ingram: 'src/providers/ingram/index.ts',
      sherweb: 'src/providers/sherweb/index.ts',
      'td-synnex': 'src/providers/td-synnex/index.ts',
      dandh: 'src/providers/dandh/index.ts',
      'partner-center': 'src/providers/partner-center/index.ts',
      testing: 'src/testing/index.ts',
      workflows: 'src/workflows/index.ts',
      graph: 'src/graph/index.ts',
      mcp: 'src/mcp/index.ts',
    },
    format: ['esm', 'cjs'],
    // `@internal` members (e.g. RedisBackend.client(), typed with ioredis) stay out of the published types.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: false,
    clean: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
    external: ['msw'],
  },
  {
    // The CLI: ESM only, its own entry (the library above also builds CJS).
    entry: { cli: 'src/cli/index.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: true,
    target: 'node20',
    external: ['msw'],
  },
]);
