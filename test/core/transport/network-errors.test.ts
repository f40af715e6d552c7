/**
 * NetworkError keeps the cause (issue 14): undici's code, the host and port, and a hint per family, so DNS,
 * refused connections and TLS inspection can be told apart. Loopback and `.invalid` only: no external traffic.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetworkError, createMarketplaceClient } from '../../../src/index.js';
import { unique } from './look-alike.js';

function pax8(baseUrl: string) {
  return createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl,
    rateLimit: false,
    retry: { retries: 0 },
    timeoutMs: 5_000,
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('NetworkError', () => {
  it('a closed port: code ECONNREFUSED, host, port, a "refused" hint and the cause chain', async () => {
    const port = await closedPort();
    const error = await pax8(`http://127.0.0.1:${port}/v1`)
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    const e = error as NetworkError;
    expect(e).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', host: '127.0.0.1', port });
    expect(e.hint).toContain('Nothing accepted the connection');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    let cause: unknown = e.cause;
    const codes: unknown[] = [];
    while (cause instanceof Error) {
      codes.push((cause as { code?: unknown }).code);
      cause = cause.cause;
    }
    expect(codes).toContain('ECONNREFUSED');
    expect(e.toJSON()).toMatchObject({ host: '127.0.0.1', port, code: 'ECONNREFUSED' });
  });

  it('a host name that cannot resolve (.invalid): a DNS code and a DNS hint', async () => {
    const error = await pax8('https://api.msp-sdk-test.invalid/v1')
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    const e = error as NetworkError;
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA']).toContain(e.code);
    expect(e).toMatchObject({ host: 'api.msp-sdk-test.invalid', port: 443 });
    expect(e.hint).toContain('did not resolve');
  });
});
