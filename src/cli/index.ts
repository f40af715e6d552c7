#!/usr/bin/env node
/**
 * `msp-marketplace`: the command-line interface of msp-marketplace-sdk. See docs/cli.md.
 * @packageDocumentation
 */
import { installProcessHandlers, interruptExitCode } from './interrupt.js';
import { processIo } from './io.js';
import { runCli } from './run.js';

// Ctrl-C / SIGTERM restore the terminal and say what was done; a closed stdout (`| head -1`) ends quietly.
installProcessHandlers(process.stderr);

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = interruptExitCode() ?? code;
  },
  (error: unknown) => {
    process.stderr.write(`error [unexpected]: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = interruptExitCode() ?? 1;
  },
);
