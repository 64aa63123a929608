/**
 * GET /metrics: the node's Prometheus metrics in the text exposition format (src/node/metrics.ts
 * names them). Served on the API port at the root, where Prometheus looks by default.
 *
 * Loopback clients only unless the operator runs `--metrics-public` (like the admin routes, and
 * Lodestar's metrics server, which binds 127.0.0.1 by default): a scrape tells an outsider the
 * node's peers, load and mining, and costs a few milliseconds. `--no-metrics` turns it off (404).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import { isLoopback } from '../loopback.js';
import { responses } from '../schemas.js';

const METRICS_EXAMPLE = [
  '# HELP ourcoin_chain_height Height of the main chain tip',
  '# TYPE ourcoin_chain_height gauge',
  'ourcoin_chain_height 1234',
].join('\n');

export function registerMetricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['node'],
        summary: 'Prometheus metrics (text format); loopback clients only unless the node runs --metrics-public',
        response: responses(
          {
            200: {
              description: 'OK',
              content: {
                'text/plain': {
                  schema: {
                    type: 'string',
                    description: 'the Prometheus text exposition format (0.0.4); README, "Metrics", names them',
                    examples: [METRICS_EXAMPLE],
                  },
                },
              },
            },
          },
          [403, 404],
        ),
      },
    },
    async (request, reply) => {
      const metrics = ctx.metrics;
      if (!metrics) throw new ApiError(404, ApiErrorCode.notFound, 'metrics are off on this node (--no-metrics)');
      if (!metrics.public && !isLoopback(request.socket.remoteAddress))
        throw new ApiError(
          403,
          ApiErrorCode.metricsLocalOnly,
          'metrics answer loopback clients only; the operator can run the node with --metrics-public',
        );
      return reply.type(metrics.contentType).send(await metrics.scrape());
    },
  );
}
