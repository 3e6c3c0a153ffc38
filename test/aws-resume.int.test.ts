// An AWS drill whose process dies while `aws.rds.promote-replica` waits for the promotion it
// already asked for, resumed in the same process from its journal: the real engine, the real AWS
// provider and SDK clients, and the stateful fake behind them (aws-sdk-client-mock replaces only
// `send`). The crash is what a kill -9 leaves: the journal as it was on disk at that instant.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { readJournal } from '../src/engine/journal.js';
import { resumeStateOf } from '../src/engine/resume-state.js';
import { runDrill } from '../src/engine/run-drill.js';
import { parseRunbook } from '../src/runbook/load.js';
import type { FakeAws } from '../src/providers/aws/testing/fake-aws.js';
import { FAST, fakeWorld } from '../src/providers/aws/testing/fake-world.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

const registry = defaultRegistry();

/** RDS Multi-AZ reboot as the fault, then the cross-region replica promoted and DNS repointed to it. */
const RDS_DRILL = [
  'apiVersion: lifeboat/v1',
  'kind: Runbook',
  'name: aws-resume',
  'objectives: { rto: 30s, rpo: 5s }',
  'resources:',
  '  primary: { type: aws.rds.instance, id: orders-primary, region: us-east-1 }',
  '  dr: { type: aws.rds.instance, id: orders-dr, region: us-west-2 }',
  '  dns: { type: aws.route53.record, zoneId: Z0FAKE, name: db.example.com }',
  '  bucket: { type: aws.s3.bucket, bucket: orders-data }',
  'probes:',
  '  primary-up: { type: aws.rds.status, target: primary, interval: 20ms, timeout: 1s }',
  '  writes: { type: aws.s3.writes, endpoints: [bucket], interval: 20ms, timeout: 1s }',
  'steadyState: { stableFor: 100ms }',
  'recovery: { all: [primary-up], stableFor: 100ms, timeout: 20s }',
  'fault:',
  '  - { id: reboot, action: aws.rds.reboot, target: primary, timeout: 20s }',
  'failover:',
  '  - { id: promote, action: aws.rds.promote-replica, target: dr, timeout: 20s }',
  "  - { id: repoint, action: aws.route53.change-record, target: dns, value: '${steps.promote.endpoint}', timeout: 20s }",
].join('\n');

const quiet = pino({ level: 'silent' });
// Waiters poll every 50 ms, so the promotion's waiter is in flight long enough to be caught.
const SETTINGS = { aws: { ...FAST, pollIntervalMs: 50 } };

type StepEvent = { kind: 'step'; stepId: string; status: string; output?: Record<string, unknown> };
const stepEvents = (path: string, stepId: string): StepEvent[] =>
  readJournal(path).flatMap((e) => (e.type === 'event' && e.event.kind === 'step' && e.event.stepId === stepId ? [e.event as StepEvent] : []));

describe('an AWS drill killed while a promotion is in flight', () => {
  it('is resumed in-process from its journal: the promotion is recognised as done, sent once, and its output reaches later steps', async () => {
    fake = fakeWorld();
    fake.state.rebootMs = 400;
    const state = mkdtempSync(join(tmpdir(), 'lifeboat-aws-resume-'));
    dirs.push(state);
    const loaded = { file: 'aws.yaml', text: RDS_DRILL, runbook: parseRunbook(RDS_DRILL, 'aws.yaml', registry) };

    // Attempt 1: "killed" once the promotion was sent and its waiter saw the replica modifying.
    let runId = '';
    let onDisk: string | undefined;
    const ac = new AbortController();
    const f = fake;
    const watch = setInterval(() => {
      if (onDisk !== undefined || !runId || f.callsOf('PromoteReadReplica').length === 0) return;
      const promotedAt = f.calls.findIndex((c) => c.operation === 'PromoteReadReplica');
      const waiterPolls = f.calls.slice(promotedAt + 1).filter((c) => c.operation === 'DescribeDBInstances' && c.input.DBInstanceIdentifier === 'orders-dr');
      if (f.state.rds.get('orders-dr')!.DBInstanceStatus !== 'modifying' || waiterPolls.length < 2) return;
      // What a kill -9 leaves behind: the journal as it is on disk now.
      onDisk = readFileSync(join(state, 'runs', runId, 'journal.jsonl'), 'utf8');
      ac.abort(new Error('killed (test)'));
    }, 1);
    const first = await runDrill({ loaded, registry, stateDir: state, log: quiet, settings: SETTINGS, signal: ac.signal, onStart: (id) => (runId = id) });
    clearInterval(watch);
    expect(onDisk, `the run ended (${first.status}: ${first.error}) before the promotion's waiter was caught`).toBeDefined();
    expect(first.status).toBe('aborted');
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
    // The abort let the run journal its end: put back what the dead process had left.
    const path = join(state, 'runs', runId, 'journal.jsonl');
    writeFileSync(path, onDisk!);
    expect(stepEvents(path, 'promote').map((e) => e.status)).toEqual(['started']);
    expect(stepEvents(path, 'repoint')).toEqual([]);
    expect(fake.state.rds.get('orders-dr')!.ReadReplicaSourceDBInstanceIdentifier).toBeDefined();

    // While no Lifeboat runs, AWS finishes the promotion (the fake moves on one step per Describe).
    const rds = new RDSClient({ region: 'us-west-2' });
    const dr = () => fake!.state.rds.get('orders-dr')!;
    for (let i = 0; i < 10 && (dr().ReadReplicaSourceDBInstanceIdentifier !== undefined || dr().DBInstanceStatus !== 'available'); i++)
      await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-dr' }));
    rds.destroy();
    expect(dr()).toMatchObject({ DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: undefined });

    // Attempt 2, in the same process, from the journal alone (as `lifeboat resume` reads it).
    const journaled = resumeStateOf(runId, readJournal(path));
    expect(journaled.resume.attempt).toBe(2);
    const reloaded = { file: journaled.file, text: journaled.text, runbook: parseRunbook(journaled.text, journaled.file, registry) };
    const resumedAt = performance.timeOrigin + performance.now();
    const result = await runDrill({ loaded: reloaded, registry, stateDir: state, log: quiet, settings: SETTINGS, mode: journaled.mode, resume: journaled.resume });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    expect(result.runId).toBe(runId);
    expect(result.attempts).toBe(2);

    // The promotion was recognised as done by isDone, with its output, and never sent again.
    const promote = stepEvents(path, 'promote');
    expect(promote.map((e) => e.status)).toEqual(['started', 'already-done']);
    expect(promote[1]!.output).toMatchObject({ instanceId: 'orders-dr', endpoint: 'orders-dr.fake.rds.amazonaws.com', status: 'available' });
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
    expect(fake.callsOf('RebootDBInstance')).toHaveLength(1);
    expect(result.steps.find((s) => s.id === 'promote')).toMatchObject({ status: 'already-done', output: { endpoint: 'orders-dr.fake.rds.amazonaws.com' } });
    // The fault phase completed before the crash: the resumed attempt does not enter it again.
    expect(stepEvents(path, 'reboot').map((e) => e.status)).toEqual(['started', 'succeeded']);

    // The next step used the promoted replica's endpoint through ${steps.promote.endpoint}.
    expect(stepEvents(path, 'repoint').map((e) => e.status)).toEqual(['started', 'succeeded']);
    const changes = fake.callsOf('ChangeResourceRecordSets');
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(changes[0]!.input)).toContain('orders-dr.fake.rds.amazonaws.com');
    expect(fake.state.records.get('Z0FAKE|db.example.com|CNAME')).toEqual(['orders-dr.fake.rds.amazonaws.com']);

    // RTO from the probes' observed events (journaled by attempt 1, read back by attempt 2) vs the
    // truth the fake recorded. The service came back during attempt 1, but nobody watched it
    // between the crash and the resume: that gap counts as outage (src/verify/outage.ts), so the
    // truth ends at the first Describe after the resume that saw the primary available.
    const seen = fake.state.seen.filter((x) => x.id === 'orders-primary');
    const down = seen.findIndex((x) => x.status !== 'available');
    const up = seen.findIndex((x, i) => i > down && x.status === 'available');
    const upObserved = seen.findIndex((x) => x.t >= resumedAt && x.status === 'available');
    expect(down).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(down);
    expect(upObserved).toBeGreaterThan(up);
    const outage = seen[up]!.t - seen[down]!.t;
    const truth = seen[upObserved]!.t - seen[down]!.t;
    const m = result.measurements;
    console.info('aws resume:', { rtoMs: m.rtoMs, truthMs: truth, outageTheFakeWentThroughMs: outage, resolutionMs: m.rtoResolutionMs });
    expect(m.outageObserved).toBe(true);
    expect(outage).toBeGreaterThan(300);
    // Same tolerance as aws-drill.int.test.ts: the probe's resolution plus a Describe's lag at each end.
    expect(Math.abs(m.rtoMs! - truth)).toBeLessThanOrEqual(m.rtoResolutionMs! + 60);
    expect(m.rtoMs!).toBeGreaterThan(outage);
    expect(m.lostWrites).toBe(0);
  }, 60_000);
});
