/**
 * What an interrupted run says about a write (src/cli/interrupt.ts), driven directly: the real signals are sent to
 * the built bin in robustness.test.ts and pty.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  RESTORE_TERMINAL,
  configureInterrupts,
  handleClosedOutput,
  handleSignal,
  onInterrupt,
  trackWrite,
} from '../../src/cli/interrupt.js';
import { Capture } from './helpers.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function setup(isTTY = false): { err: Capture; exits: number[] } {
  const err = new Capture(isTTY);
  const exits: number[] = [];
  configureInterrupts({
    stderr: err,
    exit: (code) => {
      exits.push(code);
      throw new Exited(code);
    },
  });
  return { err, exits };
}

const WRITE = {
  what: 'the change of "M365 E3" from 20 to 22 seats',
  check: 'msp-marketplace subscriptions get sub-1 --customer PAX8:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b',
};

afterEach(() => setup());

describe('interruptions', () => {
  it('before the request left: not sent, nothing changed, exit 130', () => {
    const { err, exits } = setup();
    trackWrite(WRITE);
    expect(() => handleSignal('SIGINT')).toThrow(Exited);
    expect(exits).toEqual([130]);
    expect(err.text).toContain(`Interrupted: ${WRITE.what} was not sent. Nothing was changed.`);
  });

  it('while the request is out: waits for the answer, then reports it applied (exit 130)', () => {
    const { err, exits } = setup();
    const w = trackWrite(WRITE);
    w.sending();
    handleSignal('SIGINT');
    expect(exits).toEqual([]);
    expect(err.text).toContain('waiting for the answer');
    w.settled('applied');
    expect(() => w.end()).toThrow(Exited);
    expect(exits).toEqual([130]);
    expect(err.text).toContain(`Interrupted after ${WRITE.what} was applied. See it with: ${WRITE.check}`);
  });

  it('a second signal quits at once: the outcome is UNKNOWN, with the command that checks it', () => {
    const { err, exits } = setup();
    trackWrite(WRITE).sending();
    handleSignal('SIGTERM');
    expect(() => handleSignal('SIGINT')).toThrow(Exited);
    // The code of the first signal.
    expect(exits).toEqual([143]);
    expect(err.text).toContain('whether it was applied is UNKNOWN. Check before retrying:');
    expect(err.text).toContain(WRITE.check);
  });

  it('runs cleanups once, prints their lines and restores the terminal on a TTY', () => {
    const { err, exits } = setup(true);
    let stops = 0;
    onInterrupt(() => {
      stops += 1;
      return 'sync interrupted: week.jsonl was not changed.';
    });
    expect(() => handleSignal('SIGINT')).toThrow(Exited);
    expect(stops).toBe(1);
    expect(exits).toEqual([130]);
    expect(err.text.startsWith(RESTORE_TERMINAL)).toBe(true);
    expect(err.text).toContain('sync interrupted: week.jsonl was not changed.');
  });

  it('a declined write leaves nothing to report; a closed stdout exits 0 quietly', () => {
    const { err, exits } = setup();
    trackWrite(WRITE).release();
    expect(() => handleSignal('SIGINT')).toThrow(Exited);
    expect(err.text).not.toContain('Interrupted');
    expect(exits).toEqual([130]);
    const closed = setup();
    expect(() => handleClosedOutput()).toThrow(Exited);
    expect(closed.exits).toEqual([0]);
    expect(closed.err.text).toBe('');
  });
});

describe('writeOutputFile', () => {
  it('replaces the file whole, with the mode asked for', async () => {
    const { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeOutputFile } = await import('../../src/cli/output.js');
    const dir = mkdtempSync(join(tmpdir(), 'msp-cli-out-'));
    try {
      const file = join(dir, 'out.json');
      writeFileSync(file, 'last week\n');
      await writeOutputFile(file, '{"new":true}\n', { mode: 0o600 });
      expect(readFileSync(file, 'utf8')).toBe('{"new":true}\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
