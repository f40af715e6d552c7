/**
 * Relative links in the Markdown files the package ships (README.md, CHANGELOG.md, docs/**) must resolve to a
 * file inside the tarball, and `#anchors` to a heading of the target: a reader of the installed package (or of
 * the npm page) has no examples/, specs/ or src/. Plain JavaScript so test/package/consumers.mjs can run it on the
 * real `npm pack` file list too; test/docs/links.test.ts runs it on the list derived from package.json "files".
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files npm always packs, whatever "files" says. */
const ALWAYS = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'];

const toPosix = (p) => p.split(sep).join('/');

function walk(dir, root, out) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, root, out);
    else out.push(toPosix(relative(root, full)));
  }
}

/**
 * The files `npm pack` would ship, from package.json "files" (folder and file entries, `!` exclusions of folders
 * and files; no wildcards are used there). `dist/` need not be built: its entries match by prefix.
 * @param {string} root the repository root
 * @returns {{ has(path: string): boolean, markdown: string[] }}
 */
export function shippedFromFilesField(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const include = [];
  const exclude = [];
  for (const entry of pkg.files ?? []) {
    if (entry.startsWith('!')) exclude.push(entry.slice(1).replace(/\/$/, ''));
    else include.push(entry.replace(/\/$/, ''));
  }
  const under = (path, prefix) => path === prefix || path.startsWith(`${prefix}/`);
  const has = (path) =>
    ALWAYS.includes(path) ||
    (include.some((p) => under(path, p)) && !exclude.some((p) => under(path, p)) && existsSync(join(root, path))) ||
    (under(path, 'dist') && include.includes('dist'));
  const markdown = [];
  for (const p of include) {
    const full = join(root, p);
    if (!existsSync(full) || p === 'dist') continue;
    if (statSync(full).isDirectory()) {
      const files = [];
      walk(full, root, files);
      markdown.push(...files.filter((f) => f.endsWith('.md') && has(f)));
    } else if (p.endsWith('.md')) markdown.push(p);
  }
  for (const p of ALWAYS) if (p.endsWith('.md') && !markdown.includes(p) && existsSync(join(root, p))) markdown.push(p);
  return { has, markdown: [...new Set(markdown)].sort() };
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens (duplicates get -1, -2, ...). */
export function headingSlugs(markdown) {
  const slugs = new Set();
  const seen = new Map();
  let fence = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(```|~~~)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/**
 * Every link target in a Markdown text, outside fenced code and inline code: `[text](target)`, `[ref]: target`
 * and `<a href="target">`, with its line number.
 */
export function linksOf(markdown) {
  const out = [];
  let fence = null;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const f = /^\s*(```|~~~)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1] ?? m[2] });
    }
    const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(text);
    if (ref) out.push({ line: i + 1, target: ref[1] });
    for (const m of text.matchAll(/<a\s[^>]*href="([^"]+)"/g)) out.push({ line: i + 1, target: m[1] });
  }
  return out;
}

/**
 * Broken relative links of the shipped Markdown files: a target outside the tarball, or an anchor that names no
 * heading of its (Markdown) target.
 * @param {string} root the repository root
 * @param {{ has(path: string): boolean, markdown: string[] }} shipped what the tarball holds
 * @returns {string[]} one `file:line: target (why)` per broken link
 */
export function brokenLinks(root, shipped) {
  const broken = [];
  const slugCache = new Map();
  const slugsOf = (path) => {
    if (!slugCache.has(path)) slugCache.set(path, headingSlugs(readFileSync(join(root, path), 'utf8')));
    return slugCache.get(path);
  };
  for (const file of shipped.markdown) {
    for (const { line, target } of linksOf(readFileSync(join(root, file), 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:, ...
      const [pathPart = '', anchor] = target.split('#');
      const path = pathPart === '' ? file : posix.normalize(posix.join(posix.dirname(file), decodeURI(pathPart)));
      const where = `${file}:${line}: ${target}`;
      if (path.startsWith('../') || !shipped.has(path)) {
        broken.push(`${where} (${path} is not in the package)`);
        continue;
      }
      if (anchor && path.endsWith('.md') && existsSync(join(root, path)) && !slugsOf(path).has(anchor)) {
        broken.push(`${where} (no heading #${anchor} in ${path})`);
      }
    }
  }
  return broken;
}

/** The repository root of this file (test/docs/..). */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
