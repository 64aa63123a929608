import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from './errors.js';

/**
 * Whether a client is on this machine: the operator routes answer only loopback clients, and
 * the rate limit exempts them unless told otherwise. 127.0.0.0/8 is all loopback, and IPv4
 * clients of a dual-stack server appear as ::ffff:127.x.y.z.
 */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/**
 * An `onRequest` hook for the operator routes: refuses a client that is not on loopback with
 * 403 ADMIN_LOCAL_ONLY, even when the operator exposes the API with --api-host. It reads the
 * socket's address (trustProxy is off), so a forwarded header cannot fake it.
 */
export function localOnly(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  done(
    isLoopback(request.socket.remoteAddress)
      ? undefined
      : new ApiError(403, ApiErrorCode.adminLocalOnly, 'operator routes answer loopback clients only'),
  );
}
