import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../cli/helpers.js';

// @modelcontextprotocol/sdk is an optional peer. Here its loading fails as Node fails it when the package is not
// installed; test/package/consumers.mjs (check:package) runs the packed CLI in a project without it.
const missing = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/core/optional-import.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/optional-import.js')>();
  return {
    optionalImport: (specifier: string) => {
      if (missing.on && specifier.startsWith('@modelcontextprotocol/sdk')) {
        const error = Object.assign(new Error(`Cannot find package '@modelcontextprotocol/sdk'`), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
        return Promise.reject(error);
      }
      return real.optionalImport(specifier);
    },
  };
});

afterEach(() => {
  missing.on = false;
});

describe('msp-marketplace mcp without the optional MCP SDK', () => {
  it('is a configuration error (exit 2) with the install command, before any provider is set up', async () => {
    missing.on = true;
    const r = await run(['--mock', 'mcp']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('needs the package @modelcontextprotocol/sdk, which is not installed');
    expect(r.stderr).toContain('npm install @modelcontextprotocol/sdk');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
  });

  it('argument errors still come first', async () => {
    missing.on = true;
    const r = await run(['--mock', 'mcp', '--read-only', '--enable-writes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Give --enable-writes or --read-only, not both');
  });

  it('other commands never load it', async () => {
    missing.on = true;
    const r = await run(['--mock', 'verify', '--json']);
    expect(r.code).toBe(0);
  });
});

describe('where the MCP SDK is imported', () => {
  it('only modules under src/mcp import it, and only the mcp command loads them (lazily) from elsewhere', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join, relative } = await import('node:path');
    const root = join(import.meta.dirname, '..', '..');
    const files = readdirSync(join(root, 'src'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('src', f).split('\\').join('/'));
    const importsSdk: string[] = [];
    const importsMcpStatically: string[] = [];
    for (const file of files) {
      const code = readFileSync(join(root, file), 'utf8');
      if (/from\s+'@modelcontextprotocol\/sdk/.test(code) && !file.startsWith('src/mcp/')) importsSdk.push(file);
      if (!file.startsWith('src/mcp/') && /^\s*(import|export)\s[^;]*from\s+'[./]*(\.\.\/)*mcp\//m.test(code)) {
        importsMcpStatically.push(relative(root, join(root, file)));
      }
    }
    expect(importsSdk).toEqual([]);
    expect(importsMcpStatically).toEqual([]);
    // The command itself reaches the SDK only through the check and dynamic imports.
    const command = readFileSync(join(root, 'src/mcp/command.ts'), 'utf8');
    expect(command).not.toMatch(/^import\s[^;]*from\s+'(@modelcontextprotocol|\.\/server|\.\/stdio|\.\/errors)/m);
  });
});
