import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalsDir, findApproval, waitForApproval, writeApproval } from './approvals.js';

const dirs: string[] = [];
const runDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-approvals-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('approvals', () => {
  it('the first approval wins; a second is told about the first; no temporary file stays', () => {
    const d = runDir();
    expect(findApproval(d, 'dns')).toBeUndefined();
    expect(writeApproval(d, 'dns', { by: 'approve:alice', at: 1 })).toEqual({ approval: { by: 'approve:alice', at: 1 }, written: true });
    expect(writeApproval(d, 'dns', { by: 'terminal', at: 2 })).toEqual({ approval: { by: 'approve:alice', at: 1 }, written: false });
    expect(findApproval(d, 'dns')).toEqual({ by: 'approve:alice', at: 1 });
    expect(readdirSync(approvalsDir(d))).toEqual(['dns.json']);
    expect(statSync(join(approvalsDir(d), 'dns.json')).mode & 0o777).toBe(0o600);
  });

  it('a waiting run sees an approval written meanwhile', async () => {
    const d = runDir();
    const waiting = waitForApproval(d, 'dns', AbortSignal.timeout(5_000));
    setTimeout(() => writeApproval(d, 'dns', { by: 'approve:bob', at: 3 }), 50);
    await expect(waiting).resolves.toEqual({ by: 'approve:bob', at: 3 });
  });

  it('a confirmation typed at the terminal is written as the approval', async () => {
    const d = runDir();
    await expect(waitForApproval(d, 'dns', AbortSignal.timeout(5_000), async () => ({ by: 'terminal', at: 4 }))).resolves.toEqual({ by: 'terminal', at: 4 });
    expect(findApproval(d, 'dns')).toEqual({ by: 'terminal', at: 4 });
  });

  it('gives up with the reason of its signal (the step timeout)', async () => {
    const d = runDir();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('step dns timed out after 100ms')), 100);
    await expect(waitForApproval(d, 'dns', ac.signal)).rejects.toThrow('step dns timed out after 100ms');
  });
});
