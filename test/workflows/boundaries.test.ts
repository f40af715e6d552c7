import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../src');

function imports(dir: string): { file: string; spec: string }[] {
  return readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const text = readFileSync(join(root, dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      return [...text.matchAll(/from '([^']+)'/g)].map((m) => ({ file: `${dir}/${f}`, spec: m[1] ?? '' }));
    });
}

describe('layering', () => {
  it('workflows import only core, model, graph, their own modules, csv-parse and node built-ins', () => {
    const bad = imports('workflows').filter(
      ({ spec }) => !/^\.\.\/(core|model|graph)\/|^\.\/|^csv-parse\/sync$|^node:/.test(spec),
    );
    expect(bad).toEqual([]);
  });

  it('graph imports only core, model and zod', () => {
    const bad = imports('graph').filter(({ spec }) => !/^\.\.\/(core|model)\/|^\.\/|^zod$/.test(spec));
    expect(bad).toEqual([]);
  });
});
