/**
 * The OpenAPI document at /docs/json as a client reads it: every parameter, request field and
 * response field has a description and an example, and every example validates against its
 * schema (with the server's own validator, Fastify's Ajv, without type coercion). It walks
 * whatever routes exist, so a route added later is held to the same rule.
 */
import { fastify } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiNode } from '../../helpers/apiNode.js';
import type { ApiNode } from '../../helpers/apiNode.js';

type Schema = Record<string, unknown>;
/** @fastify/swagger moves a schema's top-level `examples` to its media type (`example`, or named `examples`). */
interface MediaType {
  schema: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  parameters?: { name: string; in: string; description?: string; example?: unknown; schema: Schema }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

let api: ApiNode;
let doc: OpenApiDoc;

beforeAll(async () => {
  api = await openApiNode('openapi');
  doc = (await api.app.inject('/docs/json')).json<OpenApiDoc>();
});

afterAll(() => api?.close());

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every schema reachable from `schema` with the path that names it (properties, items, anyOf). */
function* walk(schema: Schema, path: string): Generator<[string, Schema]> {
  yield [path, schema];
  if (isObject(schema.properties))
    for (const [name, sub] of Object.entries(schema.properties)) if (isObject(sub)) yield* walk(sub, `${path}.${name}`);
  if (isObject(schema.items)) yield* walk(schema.items, `${path}[]`);
  if (Array.isArray(schema.anyOf))
    for (const [i, sub] of schema.anyOf.entries()) if (isObject(sub)) yield* walk(sub, `${path}|${i}`);
}

const isField = (path: string): boolean => /\.[^.|[\]]+$/.test(path);
const isContainer = (s: Schema): boolean => isObject(s.properties) || isObject(s.items) || Array.isArray(s.anyOf);

/** The schemas a client sends or receives, by route: request bodies and 2xx responses. */
interface Documented {
  route: string;
  where: string;
  schema: Schema;
  examples: unknown[];
}

/** An example given at the top, by the schema or (moved there) by the media type. */
function topExamples(m: MediaType): unknown[] {
  if (m.example !== undefined) return [m.example];
  if (m.examples) return Object.values(m.examples).map((e) => e.value);
  return Array.isArray(m.schema.examples) ? m.schema.examples : [];
}

function documented(): Documented[] {
  const out: Documented[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${path}`;
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {}))
        out.push({ route, where: `request ${type}`, schema: c.schema, examples: topExamples(c) });
      for (const [status, r] of Object.entries(op.responses))
        if (status.startsWith('2'))
          for (const [type, c] of Object.entries(r.content ?? {}))
            // Raw bytes have no example to show as text.
            if (type !== 'application/octet-stream')
              out.push({ route, where: `${status} ${type}`, schema: c.schema, examples: topExamples(c) });
    }
  return out;
}

/**
 * Validates each value against its schema with Fastify's Ajv (the validator the routes use),
 * coercion and defaults off: returns the failures.
 */
async function validate(checks: { name: string; schema: Schema; value: unknown }[]): Promise<string[]> {
  const checker = fastify({
    ajv: { customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false, strict: false } },
  });
  checks.forEach(({ schema }, i) =>
    // Wrapped, so null and scalar examples are bodies too.
    checker.post(
      `/${i}`,
      { schema: { body: { type: 'object', required: ['v'], properties: { v: schema } } } },
      () => 'ok',
    ),
  );
  await checker.ready();
  const failures: string[] = [];
  for (const [i, c] of checks.entries()) {
    const r = await checker.inject({ method: 'POST', url: `/${i}`, payload: { v: c.value } });
    if (r.statusCode !== 200) failures.push(`${c.name}: ${r.json<{ message: string }>().message}`);
  }
  await checker.close();
  return failures;
}

describe('the OpenAPI document', () => {
  it('lists the routes, the raw block route among them', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/status', '/api/v1/blocks/{hashOrHeight}/raw', '/metrics']),
    );
  });

  it('describes every parameter with an example that validates', async () => {
    const missing: string[] = [];
    const checks: { name: string; schema: Schema; value: unknown }[] = [];
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods))
        for (const p of op.parameters ?? []) {
          const name = `${method.toUpperCase()} ${path} ${p.in} ${p.name}`;
          if (!p.description || p.example === undefined) missing.push(name);
          else checks.push({ name, schema: p.schema, value: p.example });
        }
    expect(missing).toEqual([]);
    expect(checks.length).toBeGreaterThan(5);
    expect(await validate(checks)).toEqual([]);
  });

  it('describes every request and response field, each with an example', () => {
    const missing: string[] = [];
    for (const { route, where, schema } of documented())
      for (const [path, s] of walk(schema, '')) {
        if (!isField(path)) continue;
        if (typeof s.description !== 'string' || s.description === '')
          missing.push(`${route} ${where} ${path}: description`);
        // A leaf shows its own example; an object or array shows one whole (or through its fields).
        if (!isContainer(s) && !Array.isArray(s.examples)) missing.push(`${route} ${where} ${path}: examples`);
      }
    expect(missing).toEqual([]);
  });

  it('gives every response an example, and every example validates against its schema', async () => {
    const missing: string[] = [];
    const checks: { name: string; schema: Schema; value: unknown }[] = [];
    for (const { route, where, schema, examples } of documented()) {
      if (!where.startsWith('request') && examples.length === 0) missing.push(`${route} ${where}`);
      for (const value of examples) checks.push({ name: `${route} ${where} (whole)`, schema, value });
      for (const [path, s] of walk(schema, ''))
        if (path !== '')
          for (const value of Array.isArray(s.examples) ? s.examples : [])
            checks.push({ name: `${route} ${where} ${path}`, schema: s, value });
    }
    expect(missing).toEqual([]);
    expect(checks.length).toBeGreaterThan(100);
    expect(await validate(checks)).toEqual([]);
  });

  it('catches an example that does not fit its schema', async () => {
    // The check above must be able to fail: a hash example one digit short.
    const failures = await validate([
      { name: 'short hash', schema: { type: 'string', pattern: '^0x[0-9a-f]{64}$' }, value: '0x' + 'a'.repeat(63) },
      { name: 'string for integer', schema: { type: 'integer' }, value: '3' },
    ]);
    expect(failures).toHaveLength(2);
  });
});
