import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_VERSION } from '../src/cli/run.js';
import { USER_AGENT } from '../src/core/http.js';
import { SDK_VERSION } from '../src/version.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('version', () => {
  it('SDK_VERSION is package.json version (run `npm run version-packages` after a bump)', () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it('the user agent and the CLI report it', () => {
    expect(USER_AGENT).toBe(`msp-marketplace-sdk/${pkg.version}`);
    expect(CLI_VERSION).toBe(pkg.version);
  });
});
