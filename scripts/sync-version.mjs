#!/usr/bin/env node
// Writes package.json's version into src/version.ts (run after `changeset version`).
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const file = new URL('src/version.ts', root);
const before = readFileSync(file, 'utf8');
const after = before.replace(/export const SDK_VERSION = '[^']*';/, `export const SDK_VERSION = '${version}';`);
if (after === before && !before.includes(`'${version}'`)) throw new Error('src/version.ts: SDK_VERSION not found');
writeFileSync(file, after);
console.log(`src/version.ts: SDK_VERSION = ${version}`);
