/**
 * The contract harness closes the vendors' request body schemas (issue 17): a body property the vendor does not
 * declare fails validation, `allOf` members are merged before closing, `oneOf`/`anyOf` stay as written, and the
 * same schema used by a response stays open. Runs without VENDOR_SPECS_DIR (an inline spec).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'strict-bodies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const Item = {
  type: 'object',
  properties: { name: { type: 'string' }, inner: { type: 'object', properties: { n: { type: 'integer' } } } },
};
const spec = {
  openapi: '3.0.3',
  info: { title: 'inline', version: '1' },
  components: {
    schemas: {
      Item,
      Base: { type: 'object', properties: { a: { type: 'string' } } },
      Free: { type: 'object', additionalProperties: true, properties: { k: { type: 'string' } } },
    },
  },
  paths: {
    '/items': {
      post: {
        operationId: 'create',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
        responses: {
          200: {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
          },
        },
      },
    },
    '/merged': {
      post: {
        operationId: 'merged',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/Base' },
                  { type: 'object', properties: { b: { type: 'string' } } },
                ],
              },
            },
          },
        },
        responses: { 200: { description: 'ok' } },
      },
    },
    '/either': {
      post: {
        operationId: 'either',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                oneOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'string' }],
              },
            },
          },
        },
        responses: { 200: { description: 'ok' } },
      },
    },
    '/free': {
      post: {
        operationId: 'free',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Free' } } } },
        responses: { 200: { description: 'ok' } },
      },
    },
  },
};

async function errorsFor(path: string, body: unknown) {
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const { api } = await loadSpec(file);
  const op = api.getOperations().find((o) => o.path === path)!;
  const result = api.validator.validateRequest(
    { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    op,
  );
  return { errors: (result.errors ?? []).map((e) => `${e.instancePath} ${e.message}`), api, op };
}

describe('contract harness: strict request bodies', () => {
  it('refuses an undeclared property, at the top and nested', async () => {
    expect((await errorsFor('/items', { name: 'x', inner: { n: 1 } })).errors).toEqual([]);
    expect((await errorsFor('/items', { name: 'x', invented: 1 })).errors).toEqual([
      '/requestBody must NOT have additional properties',
    ]);
    expect((await errorsFor('/items', { inner: { n: 1, invented: true } })).errors).toEqual([
      '/requestBody/inner must NOT have additional properties',
    ]);
  });

  it('merges allOf members before closing: both members’ properties pass, others fail', async () => {
    expect((await errorsFor('/merged', { a: 'x', b: 'y' })).errors).toEqual([]);
    expect((await errorsFor('/merged', { a: 'x', c: 'z' })).errors).toEqual([
      '/requestBody must NOT have additional properties',
    ]);
  });

  it('leaves oneOf and schemas that declare additionalProperties as the vendor wrote them', async () => {
    expect((await errorsFor('/either', { a: 'x', extra: 1 })).errors).toEqual([]);
    expect((await errorsFor('/free', { k: 'x', extra: 1 })).errors).toEqual([]);
  });

  it('keeps the response side open (the same component)', async () => {
    const { api, op } = await errorsFor('/items', {});
    expect(api.validator.validateResponse({ name: 'x', vendorAddedLater: 1 }, op, 200).errors ?? []).toEqual([]);
  });
});
