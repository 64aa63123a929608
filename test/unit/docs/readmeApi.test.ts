/**
 * The README's HTTP API tables against the OpenAPI document a real node serves: every route
 * in the document is in a table and every route in a table is in the document, so a route
 * added (on any branch) without a README row, or a row left after its route went, fails here.
 * In the `route` table paths are under /api/v1; in the `root route` table they are as served.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../../src/api/server.js';
import { openApiNode } from '../../helpers/apiNode.js';
import type { ApiNode } from '../../helpers/apiNode.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README's "## HTTP API" section, up to the next section of the same level. */
function apiSection(): string {
  const start = readme.indexOf('\n## HTTP API\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** `METHOD /path` of every route the section's tables list, with `:param` as OpenAPI's `{param}`. */
function readmeRoutes(section: string): string[] {
  const routes: string[] = [];
  let prefix: string | undefined;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      prefix = undefined;
      continue;
    }
    const first = line.split('|')[1]!.trim();
    // A table's header says where its paths live.
    if (first === 'route') prefix = API_PREFIX;
    else if (first === 'root route') prefix = '';
    else if (prefix !== undefined)
      for (const m of first.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)[^`]*`/g))
        routes.push(`${m[1]} ${prefix}${m[2]!.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

let api: ApiNode;
let documented: string[];

beforeAll(async () => {
  api = await openApiNode('readme-api');
  const doc = (await api.app.inject('/docs/json')).json<{ paths: Record<string, Record<string, unknown>> }>();
  documented = Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
});

afterAll(() => api?.close());

describe("README's HTTP API tables", () => {
  it('list exactly the routes of the OpenAPI document', () => {
    const listed = readmeRoutes(apiSection());
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !listed.includes(r))).toEqual([]);
  });

  it('read paths by their table: under /api/v1, or at the root', () => {
    const section = [
      '| route | what it does |',
      '| --- | --- |',
      '| `GET /blocks/:hashOrHeight`, `POST /mine` | x |',
      '',
      '| root route | what it does |',
      '| --- | --- |',
      '| `GET /metrics` | y |',
      '',
      '| option | default |',
      '| `GET /ignored` | z |',
    ].join('\n');
    expect(readmeRoutes(section)).toEqual(['GET /api/v1/blocks/{hashOrHeight}', 'GET /metrics', 'POST /api/v1/mine']);
  });

  it('call block transfers `transactions`, as the API does', () => {
    expect(apiSection()).not.toMatch(/coinbase, transfers/);
    expect(apiSection()).toMatch(/`transactions` \(its transfers/);
  });
});
