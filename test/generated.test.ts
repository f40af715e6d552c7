import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated/', () => {
  it('is up to date with specs/*.yaml (run `npm run generate` if this fails)', () => {
    const result = spawnSync(process.execPath, ['scripts/generate.mjs', '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });
});
