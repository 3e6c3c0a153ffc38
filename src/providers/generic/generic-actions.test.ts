import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../timeline/clock.js';
import type { ActionContext, ProbeContext } from '../types.js';
import { execAction, execProbe, runCommand } from './exec.js';
import { httpAction, httpProbe } from './http-check.js';
import { tcpConnect, tcpProbe } from './tcp-check.js';
import { waitAction } from './wait.js';

function actx(signal = new AbortController().signal, target?: ActionContext['target']): ActionContext {
  return {
    runId: 'r',
    clock: createClock(),
    log: pino({ level: 'silent' }),
    resource: () => ({ name: 'x', type: 'tcp', spec: {} }),
    resourceType: () => undefined,
    record: () => {},
    stepId: 's',
    phase: 'fault',
    signal,
    target,
    outputs: {},
  };
}
const pctx = (endpoints: ProbeContext['endpoints'] = []): ProbeContext => ({ ...actx(), probeName: 'p', endpoints, attempt: 1 });
const exec = (p: Record<string, unknown>) => execAction.params.parse(p) as Parameters<typeof execAction.run>[1];

describe('exec', () => {
  it('runs an argv array without a shell and returns exit code and output', async () => {
    const out = await execAction.run(actx(), exec({ command: ['node', '-e', 'console.log(process.argv[1]); console.error("e")', '$HOME; echo x'] }));
    expect(out).toMatchObject({ exitCode: 0, stdout: '$HOME; echo x\n', stderr: 'e\n' });
  });

  it('runs a string through the shell only when asked, with extra environment', async () => {
    const out = await execAction.run(actx(), exec({ command: 'echo "$LB_GREETING" | tr a-z A-Z', shell: true, env: { LB_GREETING: 'hi' } }));
    expect(out?.stdout).toBe('HI\n');
  });

  it('fails with the exit code and the end of stderr', async () => {
    await expect(execAction.run(actx(), exec({ command: ['sh', '-c', 'echo boom >&2; exit 7'] }))).rejects.toThrow(/exit code 7: boom/);
  });

  it('accepts the exit codes it is told to', async () => {
    const out = await execAction.run(actx(), exec({ command: ['sh', '-c', 'exit 3'], expectExitCodes: [3] }));
    expect(out?.exitCode).toBe(3);
  });

  it('kills the whole process group when aborted', async () => {
    const ac = new AbortController();
    const p = runCommand(exec({ command: ['sh', '-c', 'sleep 30 & sleep 30; wait'], killAfter: '100ms' }), ac.signal);
    setTimeout(() => ac.abort(new Error('timed out')), 100);
    const started = Date.now();
    await expect(p).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a missing program as a non-retryable provider error', async () => {
    await expect(execAction.run(actx(), exec({ command: ['/no/such/program'] }))).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
  });

  it('as a probe, is healthy while the command exits 0', async () => {
    const ok = execProbe.create(pctx(), exec({ command: ['true'] }));
    const bad = execProbe.create(pctx(), exec({ command: ['false'] }));
    expect((await ok.check(new AbortController().signal)).ok).toBe(true);
    expect((await bad.check(new AbortController().signal)).ok).toBe(false);
  });

  it('rejects a string command without shell: true', () => {
    expect(execAction.validate!(exec({ command: 'echo hi' }))).toEqual([{ path: 'command', message: expect.stringMatching(/shell: true/) }]);
  });
});

describe('http and tcp checks', () => {
  it('http succeeds on 2xx, fails on an unexpected status, and never shows a URL password', async () => {
    const srv = createHttpServer((req, res) => {
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('x');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const params = (url: string) => httpAction.params.parse({ url }) as Parameters<typeof httpAction.run>[1];
      expect(await httpAction.run(actx(), params(`http://127.0.0.1:${port}/up`))).toEqual({ status: 200 });
      await expect(httpAction.run(actx(), params(`http://u:s3cret@127.0.0.1:${port}/down`))).rejects.toThrow(/answered 503/);
      await expect(httpAction.run(actx(), params(`http://u:s3cret@127.0.0.1:${port}/down`))).rejects.not.toThrow(/s3cret/);
      const probe = httpProbe.create(pctx([{ name: 'web', type: 'http', spec: { url: `http://127.0.0.1:${port}/up` } }]), httpAction.params.parse({}) as never);
      expect(await probe.check(new AbortController().signal)).toEqual({ ok: true, endpoint: 'web' });
    } finally {
      srv.close();
    }
  });

  it('tcp connects to a listening port and fails on a closed one', async () => {
    const srv = createServer((s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await tcpConnect({ host: '127.0.0.1', port }, new AbortController().signal);
    await new Promise((r) => srv.close(r));
    await expect(tcpConnect({ host: '127.0.0.1', port }, new AbortController().signal)).rejects.toThrow(/ECONNREFUSED/);
    const probe = tcpProbe.create(pctx([{ name: 'db', type: 'tcp', spec: { host: '127.0.0.1', port } }]), {});
    expect((await probe.check(new AbortController().signal)).ok).toBe(false);
  });

  it('wait honours its abort signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(waitAction.run(actx(ac.signal), { duration: '10s' })).rejects.toThrow('stop');
  });
});

describe('exec with a daemon left behind', () => {
  it('ends when the command exits even if a background process keeps its output pipes open', async () => {
    const started = Date.now();
    const out = await execAction.run(actx(), exec({ command: 'setsid sleep 5 & echo started', shell: true }));
    expect(out?.stdout).toBe('started\n');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
