/**
 * A keep-alive HTTP client bound to a chosen loopback source address. The node's API limits
 * requests per client IP, so a load generator standing for many clients (the soak test, the
 * admission benchmark) uses many source addresses: 127.0.0.0/8 is all loopback.
 */
import http from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/** HTTP/1.1 keep-alive connections from `localAddress`: one by default, up to `maxSockets` at once. */
export class LoopbackClient {
  private readonly agent: http.Agent;
  requests = 0;

  constructor(
    private readonly port: number,
    readonly localAddress: string,
    maxSockets = 1,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, body?: string): Promise<HttpReply> {
    this.requests++;
    return this.send(method, path, body, true);
  }

  /**
   * The server closes idle keep-alive connections (after 5 s): a request sent on a pooled
   * socket just as it closes fails with ECONNRESET without having reached the server, so it is
   * sent once more on a new socket, as the Node.js docs advise (`request.reusedSocket`).
   */
  private send(method: string, path: string, body: string | undefined, mayRetry: boolean): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          agent: this.agent,
          localAddress: this.localAddress,
          headers:
            body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && err.code === 'ECONNRESET') resolve(this.send(method, path, body, false));
        else reject(err);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `count` clients on source addresses 127.<subnet>.<1..>.<1..254>. */
export function loopbackClients(port: number, subnet: number, count: number): LoopbackClient[] {
  return Array.from(
    { length: count },
    (_, i) => new LoopbackClient(port, `127.${subnet}.${Math.floor(i / 254)}.${(i % 254) + 1}`),
  );
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
