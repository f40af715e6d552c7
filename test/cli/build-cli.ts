/**
 * Builds the CLI bundle as `npm run build` would, into a folder under node_modules/.cache (so the bundle resolves
 * its dependencies). The build is keyed by the sources it is made from: the test files that need the built bin
 * (and the workers running them) share one build instead of bundling it each.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A built `msp-marketplace` bin and how to remove it. */
export interface BuiltCli {
  bin: string;
  /** Kept for callers: the shared build stays for the next file (builds of older sources are pruned). */
  remove(): void;
}

const CACHE = join(ROOT, 'node_modules', '.cache');
const PREFIX = 'msp-cli-test-';

/** A digest of every source file the bundle can contain (paths and contents), plus package.json. */
function sourceKey(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  hash.update(readFileSync(join(ROOT, 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

/** Bundles src/cli/index.ts with tsup (ESM, node20), or reuses the bundle of the same sources. */
export function buildCli(): BuiltCli {
  const outDir = join(CACHE, `${PREFIX}${sourceKey()}`);
  const bin = join(outDir, 'index.js');
  const result = { bin, remove: () => {} };
  if (existsSync(bin)) return result;
  // Built aside, then renamed into place: a worker building the same sources at the same time loses the rename
  // and uses the winner's (identical) bundle.
  const temp = join(CACHE, `tmp-${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
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
      temp,
      '--silent',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  try {
    renameSync(temp, outDir);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
  if (!existsSync(bin)) throw new Error(`CLI build missing: ${bin}`);
  // Builds of older sources are no use any more.
  for (const name of readdirSync(CACHE)) {
    if (name.startsWith(PREFIX) && join(CACHE, name) !== outDir)
      rmSync(join(CACHE, name), { recursive: true, force: true });
  }
  return result;
}
