/**
 * `import-time-vs-deps`: cold `import('msp-marketplace-sdk/pax8')` (the built dist/pax8.js, through the package's
 * own exports) against importing ky + zod alone, each in a fresh process, alternating, median of the runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Figure, figure, median, round } from './lib.js';

const RUNS = 9;
const root = fileURLToPath(new URL('..', import.meta.url));

function timeImport(specifiers: string[]): number {
  const script = `const t = performance.now(); await Promise.all(${JSON.stringify(specifiers)}.map((s) => import(s))); console.log(performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return Number(out.trim());
}

export async function run(): Promise<Figure[]> {
  if (!existsSync(`${root}dist/pax8.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  const sdk: number[] = [];
  const deps: number[] = [];
  const ratios: number[] = [];
  timeImport(['msp-marketplace-sdk/pax8']); // warm the file system cache
  timeImport(['ky', 'zod']);
  for (let i = 0; i < RUNS; i++) {
    const a = timeImport(['msp-marketplace-sdk/pax8']);
    const b = timeImport(['ky', 'zod']);
    sdk.push(a);
    deps.push(b);
    ratios.push(a / b);
  }
  const note = `median of ${RUNS} fresh processes: msp-marketplace-sdk/pax8 ${round(median(sdk), 1)} ms, ky + zod ${round(median(deps), 1)} ms`;
  return [figure('import-time-vs-deps', round(median(ratios)), 'ratio', ['<=', 1.5], note)];
}
