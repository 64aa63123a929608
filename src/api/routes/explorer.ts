/**
 * The block explorer's static files at `/` (index.html) and `/assets/*` (Vite's hashed
 * bundles), read from dist/explorer, which `npm run build` fills (see src/explorer/ and
 * docs/decisions/0012-explorer.md). The explorer routes by URL fragment (`/#/block/12`), so
 * no other path needs a fallback. Without a build, `/` answers 503 saying how to make one.
 *
 * The directory is found relative to this module, so it is the same from the TypeScript
 * sources (src/api/routes → dist/explorer) and from the compiled code (dist/api/routes →
 * dist/explorer).
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, ApiErrorCode, errorBody } from '../errors.js';

export const EXPLORER_DIR = fileURLToPath(new URL('../../../dist/explorer/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Everything the page loads comes from this origin; the worker too. No inline script. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

async function readInside(dir: string, relative: string): Promise<Buffer | undefined> {
  try {
    const root = await realpath(dir);
    const file = await realpath(join(root, relative));
    if (!file.startsWith(root + sep)) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

export function registerExplorerRoutes(app: FastifyInstance, dir: string = EXPLORER_DIR): void {
  const hide = { hide: true } as const;
  // Static files are not API calls: they are not rate limited (a page load is several files).
  const config = { rateLimit: false } as const;

  app.get('/', { schema: hide, config }, async (_request, reply): Promise<FastifyReply> => {
    const html = await readInside(dir, 'index.html');
    if (!html) {
      return reply
        .code(503)
        .send(
          errorBody(
            ApiErrorCode.explorerNotBuilt,
            `the explorer is not built (no ${join(dir, 'index.html')}): run \`npm run build\`; the API is at /api/v1 and its docs at /docs`,
          ),
        );
    }
    return reply
      .type(TYPES['.html']!)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .send(html);
  });

  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { schema: hide, config },
    async (request, reply): Promise<FastifyReply> => {
      const name = request.params['*'];
      const type = TYPES[extname(name)];
      const body = type && /^[\w.-]+$/.test(name) ? await readInside(dir, join('assets', name)) : undefined;
      if (!type || !body) throw new ApiError(404, ApiErrorCode.notFound, `no explorer asset ${name.slice(0, 200)}`);
      // Vite puts a content hash in every asset name: they never change under the same name.
      return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(body);
    },
  );
}
