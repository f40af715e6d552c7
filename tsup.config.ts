import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    pax8: 'src/providers/pax8/index.ts',
    ingram: 'src/providers/ingram/index.ts',
    sherweb: 'src/providers/sherweb/index.ts',
    testing: 'src/testing/index.ts',
    workflows: 'src/workflows/index.ts',
    graph: 'src/graph/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  external: ['msw'],
});
