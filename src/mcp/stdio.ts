import { type Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** Streams {@link serveStdio} talks over (default: the process's stdin and stdout). */
export interface StdioStreams {
  stdin?: NodeJS.ReadableStream | undefined;
  stdout?: NodeJS.WritableStream | undefined;
}

/**
 * Serves `server` over stdio until the client closes stdin (or the server is closed). Only MCP messages go to
 * stdout: log to stderr while it runs.
 */
export async function serveStdio(server: McpServer, streams: StdioStreams = {}): Promise<void> {
  const stdin = (streams.stdin ?? process.stdin) as Readable;
  const stdout = (streams.stdout ?? process.stdout) as Writable;
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    const previous = server.server.onclose;
    server.server.onclose = () => {
      previous?.();
      resolve();
    };
  });
  const end = () => {
    void server.close();
  };
  stdin.once('end', end);
  stdin.once('close', end);
  try {
    await server.connect(transport);
    await closed;
  } finally {
    stdin.off('end', end);
    stdin.off('close', end);
  }
}

/** A Node writable over anything with a `write(string)` (the CLI's injectable stdout). */
export function toWritable(target: { write(chunk: string): unknown }): NodeJS.WritableStream {
  if (target instanceof Writable) return target;
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      target.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
  });
}
