/** Builds the CLI bundle once per test file, as `npm run build` would, into a folder that resolves node_modules. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A built `msp-marketplace` bin and how to remove it. */
export interface BuiltCli {
  bin: string;
  remove(): void;
}

/** Bundles src/cli/index.ts with tsup (ESM, node20) under node_modules/.cache so the bundle finds its dependencies. */
export function buildCli(): BuiltCli {
  const outDir = join(ROOT, 'node_modules', '.cache', `msp-cli-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'),
      'src/cli/index.ts',
      '--no-config',
      '--format',
      'esm',
      '--target',
      'node20',
      '--out-dir',
      outDir,
      '--silent',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  return { bin: join(outDir, 'index.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}
