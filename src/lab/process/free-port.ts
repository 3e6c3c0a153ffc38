import { createServer } from 'node:net';
import { InfrastructureError } from '../../errors.js';

/** Asks the kernel for a free TCP port on `host` (listen on 0, read it, close). Racy by nature: callers retry. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new InfrastructureError('no port assigned'))));
    });
  });
}
