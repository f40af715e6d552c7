#!/usr/bin/env node
/**
 * `msp-marketplace`: the command-line interface of msp-marketplace-sdk. See docs/cli.md.
 * @packageDocumentation
 */
import { processIo } from './io.js';
import { runCli } from './run.js';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error [unexpected]: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
