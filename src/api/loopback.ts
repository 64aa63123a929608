/**
 * Whether a client is on this machine: the operator routes answer only loopback clients, and
 * the rate limit exempts them unless told otherwise. 127.0.0.0/8 is all loopback, and IPv4
 * clients of a dual-stack server appear as ::ffff:127.x.y.z.
 */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}
