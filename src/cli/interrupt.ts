/**
 * Ctrl-C, SIGTERM and closed pipes. Commands register what must be undone (a progress bar that hid the cursor, a
 * half-written sync file) and the write they are making; the process's handlers (installed by the `bin` only,
 * never by `runCli` in-process) restore the terminal, say what was done, and exit 130 (SIGINT) or 143 (SIGTERM).
 */
import type { CliWritable } from './io.js';

/** Shows the cursor and turns line wrapping back on: what a progress bar turned off. */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

/** Where a write stands when the CLI is interrupted. */
export type WriteState = 'not-sent' | 'sending' | 'applied' | 'failed';

/** A write the CLI is making, as reported when interrupted. */
export interface TrackedWrite {
  /** The request is about to leave: from now on an interruption cannot tell whether it was applied. */
  sending(): void;
  /** The vendor answered: `applied` (or a dry run checked), or `failed` (the error says what happened). */
  settled(state: 'applied' | 'failed'): void;
  /** The command printed its result: ends the run now when an interruption waited for this write. */
  end(): void;
  /** Nothing left to report (declined at the prompt): forgets the write without ending the run. */
  release(): void;
}

/** What {@link trackWrite} needs to describe a write. */
export interface WriteDescription {
  /** What is being changed, e.g. `the seat change of "Microsoft 365 E3" to 22 seats`. */
  what: string;
  /** The command that shows whether it was applied. */
  check: string;
}

type Cleanup = () => string | undefined;

let exitOverride: ((code: number) => never) | undefined;
const cleanups = new Set<Cleanup>();
let current: (WriteDescription & { state: WriteState }) | undefined;
let interruptedWith: number | undefined;
let messageOut: CliWritable | undefined;

/** The exit code of the signal that interrupted the run (130 or 143), if one did. */
export function interruptExitCode(): number | undefined {
  return interruptedWith;
}

/**
 * Registers something to undo when the run is interrupted (restore the terminal, close a file). It may return a
 * line to print (`partial sync kept in week.jsonl.partial ...`). Returns the function that unregisters it.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Records a write so that an interruption can say whether it was applied, not sent, or unknown. */
export function trackWrite(description: WriteDescription): TrackedWrite {
  const entry = { ...description, state: 'not-sent' as WriteState };
  current = entry;
  return {
    sending() {
      entry.state = 'sending';
    },
    settled(state) {
      entry.state = state;
    },
    end() {
      if (current === entry) current = undefined;
      if (interruptedWith !== undefined) finish(interruptedWith, [writeMessage(entry)]);
    },
    release() {
      if (current === entry) current = undefined;
    },
  };
}

function writeMessage(w: WriteDescription & { state: WriteState }): string {
  switch (w.state) {
    case 'not-sent':
      return `Interrupted: ${w.what} was not sent. Nothing was changed.`;
    case 'applied':
      return `Interrupted after ${w.what} was applied. See it with: ${w.check}`;
    case 'failed':
      return `Interrupted after ${w.what} failed (see the error above).`;
    default:
      return `Interrupted while ${w.what} was being sent: whether it was applied is UNKNOWN. Check before retrying: ${w.check}`;
  }
}

/** Runs every cleanup (once), collecting their lines; never throws. */
function runCleanups(): string[] {
  const lines: string[] = [];
  for (const c of [...cleanups]) {
    cleanups.delete(c);
    try {
      const line = c();
      if (typeof line === 'string' && line) lines.push(line);
    } catch {
      // Exiting anyway: a cleanup that fails must not keep the terminal broken or the process alive.
    }
  }
  return lines;
}

function finish(code: number, extra: string[]): never {
  const lines = [...runCleanups(), ...extra];
  const out = messageOut;
  if (out) {
    if (out.isTTY) out.write(RESTORE_TERMINAL);
    if (lines.length) out.write(`\n${lines.join('\n')}\n`);
  }
  return (exitOverride ?? ((c: number) => process.exit(c)))(code);
}

/**
 * Called on SIGINT/SIGTERM. A second signal exits at once. On the first, a write whose request has left waits for
 * the vendor's answer (so the outcome is known, and printed); everything else ends now, terminal restored.
 */
export function handleSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (interruptedWith !== undefined) {
    finish(interruptedWith, current ? [writeMessage(current)] : []);
  }
  interruptedWith = code;
  if (current?.state === 'sending') {
    messageOut?.write(
      `\nInterrupted: waiting for the answer to ${current.what}, so its outcome is known. Press Ctrl-C again to quit now (the outcome is then unknown).\n`,
    );
    return;
  }
  finish(code, current ? [writeMessage(current)] : []);
}

/** A closed stdout (`| head -1`): nothing more can be shown, so end quietly with exit 0. */
export function handleClosedOutput(): never {
  return finish(0, []);
}

/**
 * Sets where the interruption message goes and how the process exits, and forgets any earlier interruption,
 * cleanup or write, without installing process handlers: for {@link installProcessHandlers} and tests.
 */
export function configureInterrupts(options: {
  stderr: CliWritable;
  exit?: ((code: number) => never) | undefined;
}): void {
  messageOut = options.stderr;
  exitOverride = options.exit;
  interruptedWith = undefined;
  current = undefined;
  cleanups.clear();
}

/**
 * Installs the process's handlers: SIGINT/SIGTERM (see {@link handleSignal}) and EPIPE on stdout (exit 0, no
 * stack trace). `stderr` is where the interruption message goes. Used by the `bin` only.
 */
export function installProcessHandlers(stderr: CliWritable, options: { exit?: (code: number) => never } = {}): void {
  configureInterrupts({ stderr, exit: options.exit });
  process.on('SIGINT', () => handleSignal('SIGINT'));
  process.on('SIGTERM', () => handleSignal('SIGTERM'));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') handleClosedOutput();
    throw error;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    // Nowhere left to report anything: stop quietly.
    if (error.code === 'EPIPE') handleClosedOutput();
  });
}
