/**
 * The built CLI in a real pseudo-terminal (tmux, on a private socket): the sync progress bar, `config init`
 * answered key by key, and Ctrl-C during a sync (terminal restored, exit 130, last week's file intact).
 * Skipped with a message when tmux is not installed (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAX8_SEED_IDS } from '../../src/testing/index.js';
import { type BuiltCli, buildCli } from './build-cli.js';
import { type Pax8LookAlike, startPax8LookAlike } from './pax8-lookalike.js';

function tmuxPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const TMUX = tmuxPath();
if (!TMUX) console.warn('test/cli/pty.test.ts: skipped, tmux is not installed (apt-get install -y tmux)');

let dir: string;
let socket: string;
let cli: BuiltCli;

function tmux(...args: string[]): string {
  return execFileSync(TMUX!, ['-S', socket, ...args], { encoding: 'utf8' });
}

/** A tmux session running an interactive bash (its own process group per command, as in a real terminal). */
class Pane {
  readonly raw: string;
  constructor(readonly name: string) {
    this.raw = join(dir, `${name}.raw`);
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '30',
      '-c',
      dir,
      `env -i PATH="${process.env.PATH}" HOME="${dir}" TERM=xterm-256color bash --norc --noprofile`,
    );
    // Every byte the programs write to the terminal, escape sequences included.
    tmux('pipe-pane', '-o', '-t', name, `cat >> ${this.raw}`);
  }
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text);
  }
  keys(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
  }
  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name);
  }
  rawText(): string {
    return existsSync(this.raw) ? readFileSync(this.raw, 'latin1') : '';
  }
  flag(name: 'cursor_flag' | 'wrap_flag'): string {
    return tmux('display-message', '-p', '-t', this.name, `#{${name}}`).trim();
  }
  /** Polls the screen until `pattern` shows (bounded: no fixed sleeps). */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) return s;
      if (Date.now() > deadline) throw new Error(`pane ${this.name} never showed ${pattern}:\n${s}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  kill(): void {
    tmux('kill-session', '-t', this.name);
  }
}

beforeAll(() => {
  if (!TMUX) return;
  dir = mkdtempSync(join(tmpdir(), 'msp-cli-pty-'));
  socket = join(dir, 'tmux.sock');
  cli = buildCli();
}, 60_000);

afterAll(() => {
  if (!TMUX) return;
  try {
    execFileSync(TMUX!, ['-S', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
  cli?.remove();
  // A pane's `pipe-pane` writer may still be closing its log file: retry briefly.
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

describe.skipIf(!TMUX)('the CLI in a pseudo-terminal (tmux)', () => {
  it('sync --mock shows a progress bar on the terminal, then restores the cursor', async () => {
    const pane = new Pane('bar');
    try {
      pane.type(`node ${cli.bin} sync --mock -p pax8,dandh -o bar.jsonl; echo EXIT=$?`);
      pane.keys('Enter');
      const screen = await pane.waitFor(/EXIT=\d+/);
      expect(screen).toContain('EXIT=0');
      expect(screen).toMatch(/sync \[[█░]+\] 2\/2 providers/);
      const raw = pane.rawText();
      expect(raw).toContain('\x1b[?25l');
      expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'));
      expect(pane.flag('cursor_flag')).toBe('1');
      expect(pane.flag('wrap_flag')).toBe('1');
    } finally {
      pane.kill();
    }
  }, 30_000);

  it('Ctrl-C during sync: cursor and line wrap restored, message, exit 130, last week’s -o file intact', async () => {
    const lookalike: Pax8LookAlike = await startPax8LookAlike({ companies: 3, hangSubscriptions: true });
    const pane = new Pane('ctrlc');
    try {
      writeFileSync(join(dir, 'week.jsonl'), 'last week\n');
      pane.type(
        `PAX8_CLIENT_ID=lookalike-client PAX8_CLIENT_SECRET=lookalike-secret PAX8_BASE_URL=${lookalike.baseUrl} node ${cli.bin} sync -p pax8 -o week.jsonl; echo EXIT=$?`,
      );
      pane.keys('Enter');
      await lookalike.hanging;
      await pane.waitFor(/sync \[/);
      // The bar hid the cursor; the pane shows it so while the sync runs.
      expect(pane.flag('cursor_flag')).toBe('0');
      pane.keys('C-c');
      const screen = await pane.waitFor(/EXIT=\d+/);
      expect(screen).toContain('EXIT=130');
      expect(screen).toContain('week.jsonl was not changed');
      expect(screen).toContain('--resume');
      expect(pane.flag('cursor_flag')).toBe('1');
      expect(pane.flag('wrap_flag')).toBe('1');
      expect(pane.rawText()).toContain('\x1b[?25h');
      expect(readFileSync(join(dir, 'week.jsonl'), 'utf8')).toBe('last week\n');
    } finally {
      pane.kill();
      await lookalike.close();
    }
  }, 30_000);

  it('Ctrl-C at a seat change question: not sent, nothing changed, exit 130', async () => {
    const pane = new Pane('prompt');
    try {
      const sub = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;
      pane.type(`node ${cli.bin} --mock seats set ${sub} 7 --company PAX8:${PAX8_SEED_IDS.contoso}; echo EXIT=$?`);
      pane.keys('Enter');
      await pane.waitFor('[y/N]');
      pane.keys('C-c');
      const screen = await pane.waitFor(/EXIT=\d+/);
      expect(screen).toContain('EXIT=130');
      expect(screen.replace(/\n/g, '')).toContain('was not sent. Nothing was changed.');
    } finally {
      pane.kill();
    }
  }, 30_000);

  it('config init: one provider, secret not echoed, connection verified, file written with mode 0600', async () => {
    const lookalike = await startPax8LookAlike({ companies: 2 });
    const pane = new Pane('init');
    const file = join(dir, 'init.json');
    const secret = 'typed-secret-never-echoed-4242';
    try {
      pane.type(`node ${cli.bin} --config ${file} config init; echo EXIT=$?`);
      pane.keys('Enter');
      await pane.waitFor('Which provider do you want to configure?');
      pane.keys('Enter'); // Pax8, the first choice
      await pane.waitFor('OAuth client id of a Pax8 API app');
      pane.type('lookalike-client-id');
      pane.keys('Enter');
      await pane.waitFor('OAuth client secret of that app');
      pane.type(secret);
      pane.keys('Enter');
      await pane.waitFor('API base URL');
      pane.type(lookalike.baseUrl);
      pane.keys('Enter');
      await pane.waitFor('Pax8: ok (2 customers');
      await pane.waitFor('Configure another provider?');
      pane.keys('Enter'); // No, save and finish
      const screen = await pane.waitFor(/EXIT=\d+/);
      expect(screen).toContain('EXIT=0');
      expect(screen).toContain(`Wrote ${file} (mode 600)`);
      expect(lookalike.secretsSeen).toContain(secret);
      expect(pane.rawText()).not.toContain(secret);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        providers: { pax8: { clientId: 'lookalike-client-id', clientSecret: secret, baseUrl: lookalike.baseUrl } },
      });

      // Again: the existing file is not touched without a yes (the default is no).
      const before = readFileSync(file, 'utf8');
      pane.keys('C-l');
      pane.type(`node ${cli.bin} --config ${file} config init; echo AGAIN=$?`);
      pane.keys('Enter');
      await pane.waitFor('exists. Add or change providers in it');
      pane.keys('Enter');
      const again = await pane.waitFor(/AGAIN=\d+/);
      expect(again).toContain('Nothing was written.');
      expect(again).toContain('AGAIN=0');
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      pane.kill();
      await lookalike.close();
    }
  }, 30_000);
});
