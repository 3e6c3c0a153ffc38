// AWS drills end to end in-process: the real engine, the real AWS provider and SDK clients, and
// the stateful fake behind them (aws-sdk-client-mock replaces only `send`).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { dryRunDrill } from '../src/engine/dry-run.js';
import { planRun } from '../src/engine/plan.js';
import { runDrill } from '../src/engine/run-drill.js';
import { parseRunbook } from '../src/runbook/load.js';
import type { FakeAws } from '../src/providers/aws/testing/fake-aws.js';
import { APP2, FAST, fakeWorld } from '../src/providers/aws/testing/fake-world.js';
import { reportRenderers } from '../src/report/renderers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-aws-drill-'));
  dirs.push(d);
  return d;
};
let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

const registry = defaultRegistry();
const load = (text: string) => ({ file: 'aws.yaml', text, runbook: parseRunbook(text, 'aws.yaml', registry) });

/** RDS Multi-AZ reboot as the fault, then the cross-region replica promoted and DNS repointed. */
const RDS_DRILL = (extra: { retry?: string; safety?: string; faultTarget?: string; faultAction?: string } = {}) =>
  [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    'name: aws-drill',
    'objectives: { rto: 30s, rpo: 5s }',
    'resources:',
    '  primary: { type: aws.rds.instance, id: orders-primary, region: us-east-1 }',
    '  dr: { type: aws.rds.instance, id: orders-dr, region: us-west-2, user: app, database: orders, password: "${env:FAKE_DB_PASSWORD}" }',
    '  single: { type: aws.rds.instance, id: orders-single }',
    `  app2: { type: aws.ec2.instance, id: ${APP2} }`,
    '  dns: { type: aws.route53.record, zoneId: Z0FAKE, name: db.example.com }',
    '  bucket: { type: aws.s3.bucket, bucket: orders-data }',
    'probes:',
    '  primary-up: { type: aws.rds.status, target: primary, interval: 20ms, timeout: 1s }',
    '  writes: { type: aws.s3.writes, endpoints: [bucket], interval: 20ms, timeout: 1s }',
    'steadyState: { stableFor: 100ms }',
    'recovery: { all: [primary-up], stableFor: 100ms, timeout: 20s }',
    ...(extra.safety ? [extra.safety] : []),
    'fault:',
    `  - { id: reboot, action: ${extra.faultAction ?? 'aws.rds.reboot'}, target: ${extra.faultTarget ?? 'primary'}, timeout: 20s }`,
    'failover:',
    `  - { id: promote, action: aws.rds.promote-replica, target: dr, timeout: 20s${extra.retry ?? ''} }`,
    "  - { id: repoint, action: aws.route53.change-record, target: dns, value: '${steps.promote.endpoint}', timeout: 20s }",
  ].join('\n');

const ENV = { ...process.env, FAKE_DB_PASSWORD: 'pw-Secret-4711-xyz' };
const quiet = pino({ level: 'silent' });

describe('an AWS drill against the fakes', () => {
  it('fault → failover → RTO measured from the probes matches the outage the fake went through', async () => {
    fake = fakeWorld();
    fake.state.rebootMs = 400;
    const result = await runDrill({ loaded: load(RDS_DRILL()), registry, stateDir: stateDir(), log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    // Truth, from the fake: the first Describe that saw the primary rebooting to the first that saw it available again.
    const seen = fake.state.seen.filter((x) => x.id === 'orders-primary');
    const down = seen.findIndex((x) => x.status !== 'available');
    const up = seen.findIndex((x, i) => i > down && x.status === 'available');
    const truth = seen[up]!.t - seen[down]!.t;
    const m = result.measurements;
    expect(m.outageObserved).toBe(true);
    // The probe samples the outage every 20 ms (the resolution, as observed), while the waiter's
    // Describes see the edges sooner; a check's Describe lands a little after its start, at each
    // end (more on a loaded machine: 30 ms allowed per end).
    expect(Math.abs(m.rtoMs! - truth)).toBeLessThanOrEqual(m.rtoResolutionMs! + 60);
    expect(truth).toBeGreaterThan(300);
    expect(m.lostWrites).toBe(0);
    expect(m.acknowledgedWrites).toBe(fake.state.buckets.get('orders-data')!.size);
    // The promoted replica's endpoint reached the DNS record through the step output.
    expect(fake.state.records.get('Z0FAKE|db.example.com|CNAME')).toEqual(['orders-dr.fake.rds.amazonaws.com']);
    expect(fake.state.rds.get('orders-primary')!.AvailabilityZone).toBe('us-east-1b');
  }, 60_000);

  it('completes with 30% of SDK calls failing with throttling or 5xx (seeded)', async () => {
    fake = fakeWorld({ failRate: 0.3, seed: 42 });
    const result = await runDrill({ loaded: load(RDS_DRILL()), registry, stateDir: stateDir(), log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    const failed = fake.calls.filter((c) => c.outcome === 'ThrottlingException' || c.outcome === 'ServiceUnavailable').length;
    expect(failed / fake.calls.length).toBeGreaterThan(0.2);
    expect(fake.state.records.get('Z0FAKE|db.example.com|CNAME')).toEqual(['orders-dr.fake.rds.amazonaws.com']);
  }, 60_000);

  it('an AccessDenied in an action fails the step on attempt 1 (whatever its retry policy), naming the permission', async () => {
    fake = fakeWorld();
    fake.deny.set('rds:PromoteReadReplica', 0);
    const text = RDS_DRILL({ retry: ', retry: { maximumAttempts: 3, initialInterval: 10ms }' });
    const result = await runDrill({ loaded: load(text), registry, stateDir: stateDir(), log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/aws.rds.promote-replica on resource "dr": access denied for rds:PromoteReadReplica/);
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
  }, 60_000);

  it('an AccessDenied inside a waiter ends it at once, on attempt 1, naming the permission', async () => {
    fake = fakeWorld();
    // Preflight, steady state and the fault describe the primary; the replica is described by preflight, then by promote.
    const text = RDS_DRILL({ retry: ', retry: { maximumAttempts: 3, initialInterval: 10ms }' });
    const run = runDrill({ loaded: load(text), registry, stateDir: stateDir(), log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    // Deny the describes once the promotion was sent.
    const timer = setInterval(() => {
      if (fake!.callsOf('PromoteReadReplica').length) {
        fake!.deny.set('rds:DescribeDBInstances', 0);
        clearInterval(timer);
      }
    }, 1);
    const result = await run;
    clearInterval(timer);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/aws.rds.promote-replica on resource "dr": access denied for rds:DescribeDBInstances/);
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
  }, 60_000);
});

describe('the allow tag', () => {
  it('refuses a fault against an untagged resource before any mutating call', async () => {
    fake = fakeWorld();
    const text = RDS_DRILL({ faultAction: 'aws.ec2.stop', faultTarget: 'app2' });
    const result = await runDrill({ loaded: load(text), registry, stateDir: stateDir(), log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/app2: step reboot \(aws.ec2.stop\): a fault may touch only resources tagged lifeboat:drill=allowed/);
    expect(fake.mutatingCalls()).toEqual([]);
    expect(result.steps).toEqual([]);
  }, 30_000);

  it('lets it through only when both the runbook and --allow-untagged say so', async () => {
    const safety = 'safety: { allowUntagged: [app2] }';
    for (const [runbookSays, flag, allowed] of [
      [true, false, false],
      [false, true, false],
      [true, true, true],
    ] as const) {
      fake = fakeWorld();
      const text = RDS_DRILL({ faultAction: 'aws.ec2.stop', faultTarget: 'app2', ...(runbookSays ? { safety } : {}) });
      const r = await dryRunDrill({ loaded: load(text), registry, log: quiet, env: ENV, settings: { aws: { ...FAST, ...(flag ? { allowUntagged: true } : {}) } } });
      expect(r.problems.some((p) => /lifeboat:drill=allowed/.test(p.message)), `runbook ${runbookSays}, flag ${flag}`).toBe(!allowed);
      expect(fake.mutatingCalls()).toEqual([]);
      fake.restore();
    }
    fake = undefined;
  }, 30_000);

  it('checks the tag the runbook names in safety.allowTag', async () => {
    fake = fakeWorld();
    const text = RDS_DRILL({ safety: 'safety: { allowTag: "chaos=yes" }' });
    const r = await dryRunDrill({ loaded: load(text), registry, log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/step reboot \(aws.rds.reboot\): a fault may touch only resources tagged chaos=yes/)]);
  });
});

describe('preflight and plan make no mutating call', () => {
  it('plan sends no command at all; --dry-run sends only read-only ones and finds every problem', async () => {
    fake = fakeWorld();
    planRun(load(RDS_DRILL()).runbook, 'drill', registry);
    expect(fake.calls).toEqual([]);
    const ok = await dryRunDrill({ loaded: load(RDS_DRILL()), registry, log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(ok.problems).toEqual([]);
    expect(fake.calls.map((c) => c.operation)).toContain('GetCallerIdentity');
    expect(fake.mutatingCalls()).toEqual([]);
    // Single-AZ target of a reboot with failover, a replica that is not one, a missing bucket.
    fake.state.rds.get('orders-dr')!.ReadReplicaSourceDBInstanceIdentifier = undefined;
    fake.state.buckets.delete('orders-data');
    const bad = RDS_DRILL({ faultTarget: 'single', safety: 'safety: { allowUntagged: [single] }' });
    const r = await dryRunDrill({ loaded: load(bad), registry, log: quiet, env: ENV, settings: { aws: { ...FAST, allowUntagged: true } } });
    expect(r.problems.map((p) => `${p.resource}: ${p.message}`).sort()).toEqual([
      expect.stringMatching(/^bucket: .*NoSuchBucket/),
      'dr: step promote (aws.rds.promote-replica): orders-dr is not a read replica',
      'single: step reboot (aws.rds.reboot): a reboot with failover needs a Multi-AZ instance; orders-single is Single-AZ',
    ]);
    expect(fake.mutatingCalls()).toEqual([]);
  });

  it('stops at credentials that do not work', async () => {
    fake = fakeWorld();
    fake.deny.set('sts:GetCallerIdentity', 0);
    const r = await dryRunDrill({ loaded: load(RDS_DRILL()), registry, log: quiet, env: ENV, settings: { aws: { ...FAST } } });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/AWS credentials do not work: .*access denied for sts:GetCallerIdentity/);
  });
});

describe('secrets', () => {
  it('no AWS key, session token or database password reaches the journal, the reports or the log', async () => {
    fake = fakeWorld();
    const secrets = { AWS_ACCESS_KEY_ID: 'AKIAFAKESECRET123456', AWS_SECRET_ACCESS_KEY: 'fakeSecretKey/abc+def123456789', AWS_SESSION_TOKEN: 'FakeSessionToken0123456789abcdef' };
    const saved = { ...process.env };
    Object.assign(process.env, secrets);
    const logged: string[] = [];
    const log = pino({ level: 'trace' }, { write: (s: string) => void logged.push(s) });
    const dir = stateDir();
    try {
      const result = await runDrill({ loaded: load(RDS_DRILL()), registry, stateDir: dir, log, env: { ...ENV, ...secrets }, settings: { aws: { ...FAST } } });
      expect(result.status).toBe('completed');
      const texts = [JSON.stringify(result), ...reportRenderers.map((r) => r.render(result)), logged.join('\n')];
      const runDir = join(dir, 'runs', result.runId);
      for (const f of readdirSync(runDir)) texts.push(readFileSync(join(runDir, f), 'utf8'));
      for (const secret of [...Object.values(secrets), ENV.FAKE_DB_PASSWORD]) for (const t of texts) expect(t).not.toContain(secret);
    } finally {
      process.env = saved;
    }
  }, 60_000);
});
