/** What the CLI reads and writes, injectable so commands run in-process in tests. */
import { Redactor, scrubText } from '../core/redact.js';

/** A stream the CLI writes to (`process.stdout`, `process.stderr`, or a test buffer). */
export interface CliWritable {
  write(chunk: string): unknown;
  /** True when a person is watching (progress bar, colors). */
  isTTY?: boolean | undefined;
  /**
   * The stream under a scrubbing wrapper ({@link scrubbedIo}): only for interactive prompts, which need a real
   * terminal stream and echo nothing but what the user typed (secrets are asked without echo).
   */
  unscrubbed?: CliWritable | undefined;
}

/** A stream the CLI may read a confirmation from. */
export type CliReadable = NodeJS.ReadableStream & { isTTY?: boolean | undefined };

/** Everything the CLI touches outside itself. */
export interface CliIo {
  stdout: CliWritable;
  stderr: CliWritable;
  /** Where confirmations are read (default: none, so prompting is refused). */
  stdin?: CliReadable | undefined;
  /** Environment variables (credentials, `XDG_CONFIG_HOME`, `HOME`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  cwd?: string | undefined;
  /** The user's home directory (default `os.homedir()`). */
  homedir?: string | undefined;
  /** The platform (default `process.platform`); file permissions are not checked on `win32`. */
  platform?: NodeJS.Platform | undefined;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    platform: process.platform,
  };
}

/** A {@link CliIo} whose output is scrubbed of secrets; see {@link scrubbedIo}. */
export interface ScrubbedCliIo extends CliIo {
  /** The credentials of this run (from the environment and the config file), redacted from every output line. */
  readonly secrets: Redactor;
}

/**
 * The CLI's output as it leaves: every chunk written to stdout and stderr has the secrets of every live client
 * of the process (credentials and the tokens they obtained) and of this run's configuration replaced by
 * `[REDACTED]` (core/redact.ts), whatever command, flag (`--debug`, `--json`, `--raw`) or error wrote it.
 */
export function scrubbedIo(io: CliIo): ScrubbedCliIo {
  if ('secrets' in io && (io as ScrubbedCliIo).secrets instanceof Redactor) return io as ScrubbedCliIo;
  const secrets = new Redactor();
  const wrap = (out: CliWritable): CliWritable => ({
    write: (chunk: string) => out.write(scrubText(secrets.redact(String(chunk)))),
    isTTY: out.isTTY,
    unscrubbed: out.unscrubbed ?? out,
  });
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr), secrets };
}
