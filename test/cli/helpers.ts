import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

/** A writable that keeps what was written. */
export class Capture {
  text = '';
  isTTY: boolean | undefined;
  constructor(isTTY?: boolean) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Result of one in-process run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Lines typed at a terminal prompt (stdin becomes a TTY). */
  answer?: string;
  stderrTTY?: boolean;
  cwd?: string;
  homedir?: string;
}

/** Runs the CLI in-process with captured output; by default no credentials and an empty home. */
export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const stdout = new Capture();
  const stderr = new Capture(options.stderrTTY);
  let stdin: CliIo['stdin'];
  if (options.answer !== undefined) {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = true;
    s.end(options.answer);
    stdin = s;
  }
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    homedir: options.homedir ?? '/nonexistent-home',
    cwd: options.cwd,
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
