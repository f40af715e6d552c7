import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, headingSlugs, linksOf, repositoryRoot, shippedFromFilesField } from './check-links.mjs';

// test/package/consumers.mjs (check:package) runs the same check on the real `npm pack` file list.
describe('relative links in the shipped docs', () => {
  it('every relative link in README.md, CHANGELOG.md and docs/** resolves inside the tarball, anchors included', () => {
    const shipped = shippedFromFilesField(repositoryRoot);
    expect(shipped.markdown).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/errors.md']));
    expect(shipped.markdown.some((f) => f.startsWith('docs/api/'))).toBe(false);
    expect(brokenLinks(repositoryRoot, shipped)).toEqual([]);
  });
});

describe('the link checker', () => {
  const root = mkdtempSync(join(tmpdir(), 'msp-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('flags links to unshipped files, outside the package and to missing headings; accepts the rest', () => {
    mkdirSync(join(root, 'docs', 'providers'), { recursive: true });
    mkdirSync(join(root, 'examples'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ files: ['dist', 'README.md', 'docs', '!docs/api'] }));
    writeFileSync(join(root, 'examples', 'demo.ts'), '');
    writeFileSync(join(root, 'docs', 'a.md'), '# A\n\n## Two words, `code`!\n\n## Two words, `code`!\n');
    writeFileSync(
      join(root, 'docs', 'providers', 'p.md'),
      [
        '[ok](../a.md#two-words-code) [dup](../a.md#two-words-code-1) [self](#p) [web](https://example.com/x.md)',
        '# P',
        '[demo](../../examples/demo.ts) [spec](../../../specs/x.yaml) [anchor](../a.md#nope)',
        '`[code](../../nowhere.md)`',
        '```md',
        '[fenced](../../nowhere.md)',
        '```',
        '[dist](../../dist/index.js)',
      ].join('\n'),
    );
    writeFileSync(join(root, 'README.md'), '[api](docs/api/index.html) [guide](docs/providers/p.md#p)\n');
    const broken = brokenLinks(root, shippedFromFilesField(root));
    expect(broken).toEqual([
      'README.md:1: docs/api/index.html (docs/api/index.html is not in the package)',
      'docs/providers/p.md:3: ../../examples/demo.ts (examples/demo.ts is not in the package)',
      'docs/providers/p.md:3: ../../../specs/x.yaml (../specs/x.yaml is not in the package)',
      'docs/providers/p.md:3: ../a.md#nope (no heading #nope in docs/a.md)',
    ]);
  });

  it('reads GitHub-style heading anchors and every link form', () => {
    expect([...headingSlugs('# Seat changes: across processes (and lost answers)\n## `addSeats`\n')]).toEqual([
      'seat-changes-across-processes-and-lost-answers',
      'addseats',
    ]);
    expect(linksOf('[a](x.md) [b](<y z.md>) <a href="w.md">w</a>\n[ref]: r.md').map((l) => l.target)).toEqual([
      'x.md',
      'y z.md',
      'w.md',
      'r.md',
    ]);
  });
});
