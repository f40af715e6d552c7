/** What the CLI reads and writes, injectable so commands run in-process in tests. */

/** A stream the CLI writes to (`process.stdout`, `process.stderr`, or a test buffer). */
export interface CliWritable {
  write(chunk: string): unknown;
  /** True when a person is watching (progress bar, colors). */
  isTTY?: boolean | undefined;
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
