import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connect, isServerError, query } from './pg-client.js';

/** A TCP server that accepts connections and never answers: what a frozen server looks like. */
async function silentServer() {
  const sockets: Socket[] = [];
  const srv = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      srv.close();
    },
  };
}

describe('connect and query', () => {
  it('reject promptly when aborted while the server does not answer', async () => {
    const srv = await silentServer();
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('timed out')), 50);
      const started = Date.now();
      await expect(connect({ host: '127.0.0.1', port: srv.port, user: 'x' }, ac.signal)).rejects.toThrow('timed out');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      srv.close();
    }
  });

  it('query rejects promptly when aborted', async () => {
    // A client whose query never gets an answer: fake its connection as open on a silent socket.
    const client = new pg.Client();
    client.on('error', () => {});
    (client as unknown as { query: () => Promise<never> }).query = () => new Promise<never>(() => {});
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('timed out')), 20);
    await expect(query(client, 'select 1', [], ac.signal)).rejects.toThrow('timed out');
  });
});

describe('isServerError', () => {
  it('tells an error of the server (the connection is fine) from a socket error', () => {
    expect(isServerError(new pg.DatabaseError('relation does not exist', 0, 'error'))).toBe(false);
    const e = Object.assign(new pg.DatabaseError('relation does not exist', 0, 'error'), { severity: 'ERROR', code: '42P01' });
    expect(isServerError(e)).toBe(true);
    expect(isServerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});
