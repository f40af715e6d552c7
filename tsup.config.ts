import { type Options, defineConfig } from 'tsup';

const entry = {
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
  fleet: 'src/fleet/index.ts',
};

/**
 * Dependencies published as ES modules only. The CommonJS build carries them inlined: `require` of an ES module
 * fails under Jest ("Must use import to load ES Module") and under tsx on Node 20 (ERR_VM_MODULE_LINK_FAILURE).
 * Every other dependency ships CommonJS (checked by test/package/consumers.mjs).
 */
export const ESM_ONLY_DEPENDENCIES = ['p-retry', 'is-network-error'];

const library: Options = {
  entry,
  sourcemap: false,
  // dist/ is emptied by `npm run build` before tsup runs: the configs below build at the same time.
  clean: false,
  splitting: true,
  treeshake: true,
  target: 'node20',
  external: ['msw'],
};

export default defineConfig([
  // The declarations of both module systems, once (.d.ts and .d.cts). `@internal` members (e.g.
  // RedisBackend.client(), typed with ioredis) stay out of the published types.
  { ...library, format: ['esm', 'cjs'], dts: { only: true, compilerOptions: { stripInternal: true } } },
  // `__MSP_CJS__` picks how core/optional-import.ts loads optional packages (import() or require).
  { ...library, format: ['esm'], dts: false, define: { __MSP_CJS__: 'false' } },
  {
    ...library,
    format: ['cjs'],
    dts: false,
    noExternal: ESM_ONLY_DEPENDENCIES,
    define: { __MSP_CJS__: 'true' },
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
    define: { __MSP_CJS__: 'false' },
  },
]);
