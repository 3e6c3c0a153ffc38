import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { forgetSecrets, redactText, registerSecrets } from '../log.js';
import { runNotification } from '../report/notification.js';
import { metRunResult, splitBrainRunResult } from '../report/testing/edge-run-results.js';
import { notifyRunEnded, webhookTarget } from './notify-webhook.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  forgetSecrets();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((res) => s.close(res))));
});

/** A webhook on 127.0.0.1 that records what it receives and answers with `answer`. */
async function webhook(answer: (res: ServerResponse) => void = (res) => res.writeHead(200).end('ok')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { received, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address() as AddressInfo;
  await new Promise((res) => s.close(res));
  return port;
}

describe('notifyRunEnded', () => {
  it('posts the run result as JSON with a Slack-compatible text field', async () => {
    const hook = await webhook();
    const warnings: string[] = [];
    const r = splitBrainRunResult();
    const ok = await notifyRunEnded(r, webhookTarget(`http://127.0.0.1:${hook.port}/services/T1/B2/abcdef`), (m) => warnings.push(m));
    expect(ok).toBe(true);
    expect(warnings).toEqual([]);
    expect(hook.received).toHaveLength(1);
    const got = hook.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/services/T1/B2/abcdef');
    expect(got.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got.body);
    expect(body).toEqual(JSON.parse(JSON.stringify(runNotification(r))));
    expect(body.text).toContain('*MISSED*');
    expect(body.result.measurements.lostWrites).toBe(7);
    expect(body.result.timeline).toBeUndefined();
  });

  it('masks every registered secret in what it posts', async () => {
    const hook = await webhook();
    registerSecrets(['hunter2-very-secret']);
    const r = { ...metRunResult(), error: 'auth failed for password hunter2-very-secret', cleanupErrors: ['dsn postgres://u:hunter2-very-secret@db/x'] };
    expect(await notifyRunEnded(r, webhookTarget(`http://127.0.0.1:${hook.port}/`), () => {})).toBe(true);
    expect(hook.received[0]!.body).not.toContain('hunter2-very-secret');
    expect(JSON.parse(hook.received[0]!.body).result.error).toBe('auth failed for password ***');
  });

  it('sends user info of the URL as basic authentication, never in the URL', async () => {
    const hook = await webhook();
    const target = webhookTarget(`http://bot:p%40ss-w0rd@127.0.0.1:${hook.port}/hook`);
    expect(target.url).toBe(`http://127.0.0.1:${hook.port}/hook`);
    expect(target.shown).toBe(`http://127.0.0.1:${hook.port}`);
    expect(await notifyRunEnded(metRunResult(), target, () => {})).toBe(true);
    expect(hook.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bot:p@ss-w0rd').toString('base64')}`);
    // From now on the password and the whole URL are masked wherever text leaves Lifeboat.
    expect(redactText(`x p@ss-w0rd y http://bot:p%40ss-w0rd@127.0.0.1:${hook.port}/hook`)).not.toContain('p@ss-w0rd');
  });

  it('warns, without the webhook path, when nothing listens, and does not throw', async () => {
    const port = await closedPort();
    const warnings: string[] = [];
    const started = Date.now();
    expect(await notifyRunEnded(metRunResult(), webhookTarget(`http://127.0.0.1:${port}/services/SECRET-PATH`), (m) => warnings.push(m))).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^could not notify http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(warnings[0]).not.toContain('SECRET-PATH');
  });

  it('gives up on a webhook that never answers after its timeout', async () => {
    const hook = await webhook(() => {
      /* never answers */
    });
    const warnings: string[] = [];
    const started = Date.now();
    expect(await notifyRunEnded(metRunResult(), webhookTarget(`http://127.0.0.1:${hook.port}/`, '300ms'), (m) => warnings.push(m))).toBe(false);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3_000);
    expect(warnings).toEqual([`could not notify http://127.0.0.1:${hook.port}: no answer within 300ms`]);
    expect(hook.received).toHaveLength(1);
  });

  it('warns about an answer other than 2xx', async () => {
    const hook = await webhook((res) => res.writeHead(500, 'Internal Server Error').end('boom'));
    const warnings: string[] = [];
    expect(await notifyRunEnded(metRunResult(), webhookTarget(`http://127.0.0.1:${hook.port}/`), (m) => warnings.push(m))).toBe(false);
    expect(warnings).toEqual([`could not notify http://127.0.0.1:${hook.port}: the webhook answered HTTP 500 Internal Server Error`]);
  });
});

describe('webhookTarget', () => {
  it.each([
    ['not a url', /--notify: not a URL/],
    ['ftp://example.com/x', /--notify: expected an http or https URL, got ftp:/],
    ['file:///etc/passwd', /--notify: expected an http or https URL, got file:/],
  ])('refuses %s', (url, message) => {
    expect(() => webhookTarget(url)).toThrow(InvalidInputError);
    expect(() => webhookTarget(url)).toThrow(message);
  });

  it.each(['0s', 'soon', '10m'])('refuses --notify-timeout %s', (timeout) => {
    expect(() => webhookTarget('https://hooks.example.com/x', timeout)).toThrow(/--notify-timeout: expected a duration from 1ms to 5m/);
  });

  it('waits 10 s by default', () => {
    expect(webhookTarget('https://hooks.example.com/x').timeoutMs).toBe(10_000);
  });
});
