import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../timeline/timeline-event.js';
import { AwsSession } from './aws-session.js';
import { ec2Launch, ec2Start, ec2Stop } from './ec2-actions.js';
import { fisStartExperiment } from './fis-actions.js';
import { changeRecord } from './route53-actions.js';
import { s3CopyLatest, s3VerifyReplica } from './s3-actions.js';
import { cloudwatchAlarmProbe, ec2StatusProbe, rdsStatusProbe } from './status-probes.js';
import { awsProvider } from './aws-provider.js';
import type { FakeAws } from './testing/fake-aws.js';
import { actionContext, AMI, APP1, FAST, fakeWorld, probeContext, ref, runAction } from './testing/fake-world.js';

let fake: FakeAws;
afterEach(() => fake?.restore());
const byTags = ref('app', 'aws.ec2.instance', { tags: { Name: 'app-1' } });
const dns = ref('dns', 'aws.route53.record', { zoneId: 'Z0FAKE', name: 'db.example.com', recordType: 'CNAME' });
const src = ref('data', 'aws.s3.bucket', { bucket: 'orders-data' });
const dst = ref('replica', 'aws.s3.bucket', { bucket: 'orders-data-replica' });

describe('EC2', () => {
  it('stop finds the instance by tags over paginated listings and waits until it is stopped; start brings it back', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    expect(await runAction(ec2Stop, actionContext(session, { target: byTags, phase: 'fault' }), { force: true })).toMatchObject({ instanceId: APP1, state: 'stopped' });
    expect(fake.callsOf('StopInstances')[0]!.input).toEqual({ InstanceIds: [APP1], Force: true });
    // The tag filter matches one instance; the state filter pages one instance at a time.
    expect(fake.state.ec2.get(APP1)!.State.Name).toBe('stopped');
    expect(await ec2Stop.isDone!(actionContext(session, { target: byTags }), { force: false })).toBe(true);
    expect(await runAction(ec2Start, actionContext(session, { target: byTags }))).toMatchObject({ state: 'running' });
  });

  it('refuses tags that match more than one instance', async () => {
    fake = fakeWorld();
    const both = ref('app', 'aws.ec2.instance', { tags: { 'lifeboat:drill': 'allowed' } });
    fake.state.ec2.get('i-0aaaaaaaaaaaaaaa2')!.Tags.push({ Key: 'lifeboat:drill', Value: 'allowed' });
    await expect(runAction(ec2Stop, actionContext(new AwsSession(FAST), { target: both }))).rejects.toThrow(/tags match 2 instances/);
    expect(fake.mutatingCalls()).toEqual([]);
  });

  it('launch runs an instance in the AMI’s region, idempotent by client token, and outputs it', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const ctx = actionContext(session, { stepId: 'launch' });
    const out = await runAction(ec2Launch, ctx, { imageId: AMI, instanceType: 't3.micro', region: 'us-west-2' });
    expect(out).toMatchObject({ availabilityZone: 'us-west-2b' });
    expect(await runAction(ec2Launch, ctx, { imageId: AMI, instanceType: 't3.micro', region: 'us-west-2' })).toEqual(out);
    expect(fake.state.ec2.size).toBe(3);
    await expect(runAction(ec2Launch, actionContext(session, { stepId: 'other' }), { imageId: AMI, instanceType: 't3.micro', region: 'eu-west-1' })).rejects.toThrow(/InvalidAMIID.NotFound/);
  });
});

describe('Route 53', () => {
  it('change-record is done only when the change is INSYNC (PENDING polls first); isDone reads the record', async () => {
    fake = fakeWorld();
    fake.state.route53PendingPolls = 3;
    const ctx = actionContext(new AwsSession(FAST), { target: dns });
    expect(await changeRecord.isDone!(ctx, { value: 'orders-dr.fake', ttl: 60 })).toBe(false);
    expect(await runAction(changeRecord, ctx, { value: 'orders-dr.fake' })).toMatchObject({ value: 'orders-dr.fake' });
    expect(fake.callsOf('GetChange')).toHaveLength(4);
    expect(fake.state.records.get('Z0FAKE|db.example.com|CNAME')).toEqual(['orders-dr.fake']);
    expect(await changeRecord.isDone!(ctx, { value: 'orders-dr.fake', ttl: 60 })).toEqual({ done: true, output: { value: 'orders-dr.fake' } });
  });
});

describe('S3', () => {
  it('verify-replica compares every page of both listings; copy-latest copies the newest object', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const put = (b: string, k: string, body: string, t: number) =>
      fake.state.buckets.get(b)!.set(k, { body: new TextEncoder().encode(body), etag: `"${body}"`, lastModified: new Date(Date.now() - 3_600_000 + t) });
    for (let i = 0; i < 5; i++) {
      put('orders-data', `k${i}`, `v${i}`, i);
      if (i !== 3) put('orders-data-replica', `k${i}`, `v${i}`, i);
    }
    const ctx = actionContext(session, { target: src, resources: [dst] });
    await expect(runAction(s3VerifyReplica, ctx, { replica: 'replica' })).rejects.toThrow(/1 of 5 objects missing or different in replica \(e.g. k3\)/);
    // Pages of two: three for the source's five objects, two for the replica's four.
    expect(fake.callsOf('ListObjectsV2')).toHaveLength(5);
    expect(await runAction(s3CopyLatest, actionContext(session, { target: src, resources: [dst] }), { to: 'replica' })).toMatchObject({ key: 'k4' });
    put('orders-data-replica', 'k3', 'v3', 3);
    expect(await runAction(s3VerifyReplica, ctx, { replica: 'replica' })).toEqual({ objects: 5, replicated: 5 });
  });
});

describe('FIS', () => {
  it('starts the experiment and is done when it runs; the run’s end stops it', async () => {
    fake = fakeWorld();
    const session = await awsProvider.open!(actionContext(new AwsSession(FAST), {}));
    const s = session.state as AwsSession;
    Object.assign(s.settings, FAST);
    const out = await runAction(fisStartExperiment, { ...actionContext(s, { phase: 'fault' }) }, { templateId: 'EXTfake1' });
    expect(out).toMatchObject({ state: 'running' });
    await session.close();
    expect(fake.state.experiments.get(String(out!.experimentId))!.status).toBe('stopped');
  });

  it('on resume, adopts the experiment this run started (over pages of listings) and stops it at the run’s end', async () => {
    fake = fakeWorld();
    const session = await awsProvider.open!(actionContext(new AwsSession(FAST), {}));
    const s = session.state as AwsSession;
    Object.assign(s.settings, FAST);
    fake.state.experiments.set('EXPother', { status: 'running', next: [], templateId: 'EXTfake1', tags: { 'lifeboat:run': 'another-run' } });
    expect(await fisStartExperiment.isDone!(actionContext(s, { phase: 'fault' }), { templateId: 'EXTfake1', waitFor: 'running' })).toBe(false);
    fake.state.experiments.set('EXPmine', { status: 'running', next: [], templateId: 'EXTfake1', tags: { 'lifeboat:run': 'run-test' } });
    expect(await fisStartExperiment.isDone!(actionContext(s, { phase: 'fault' }), { templateId: 'EXTfake1', waitFor: 'running' })).toEqual({ done: true, output: { experimentId: 'EXPmine', state: 'running' } });
    await session.close();
    expect(fake.state.experiments.get('EXPmine')!.status).toBe('stopped');
    expect(fake.state.experiments.get('EXPother')!.status).toBe('running');
  });

  it('stops the experiment at once when the step is aborted', async () => {
    fake = fakeWorld();
    fake.state.templates.set('EXTslow', { 'lifeboat:drill': 'allowed' });
    const s = new AwsSession(FAST);
    const ac = new AbortController();
    const p = runAction(fisStartExperiment, actionContext(s, { phase: 'fault', signal: ac.signal }), { templateId: 'EXTslow', waitFor: 'completed' });
    await new Promise((r) => setTimeout(r, 30));
    ac.abort(new Error('interrupted'));
    await expect(p).rejects.toThrow('interrupted');
    expect(fake.callsOf('StopExperiment')).toHaveLength(1);
    expect([...fake.state.experiments.values()][0]!.status).toBe('stopped');
  });
});

describe('status probes', () => {
  it('aws.rds.status fails while the instance reboots and succeeds once available', async () => {
    fake = fakeWorld();
    const s = new AwsSession(FAST);
    const probe = rdsStatusProbe.create(probeContext(s, [ref('primary', 'aws.rds.instance', { id: 'orders-primary' })]), { expect: 'available' });
    fake.state.rds.get('orders-primary')!.next.push({ DBInstanceStatus: 'rebooting' }, { DBInstanceStatus: 'available' });
    const signal = new AbortController().signal;
    expect(await probe.check(signal)).toEqual({ ok: false, error: 'primary is rebooting', endpoint: 'primary' });
    expect(await probe.check(signal)).toEqual({ ok: true, endpoint: 'primary' });
  });

  it('aws.ec2.status follows the instance state and status checks', async () => {
    fake = fakeWorld();
    const s = new AwsSession(FAST);
    const probe = ec2StatusProbe.create(probeContext(s, [byTags]), { statusChecks: true });
    const signal = new AbortController().signal;
    expect(await probe.check(signal)).toEqual({ ok: true, endpoint: 'app' });
    fake.state.ec2.get(APP1)!.State.Name = 'stopped';
    expect(await probe.check(signal)).toMatchObject({ ok: false, error: 'app is stopped' });
  });

  it('aws.cloudwatch.alarm is healthy unless the alarm is in ALARM', async () => {
    fake = fakeWorld();
    const events: TimelineEvent[] = [];
    const probe = cloudwatchAlarmProbe.create(probeContext(new AwsSession(FAST), [], events), { alarmName: 'orders-errors' });
    const signal = new AbortController().signal;
    expect(await probe.check(signal)).toEqual({ ok: true });
    fake.state.alarms.set('orders-errors', 'INSUFFICIENT_DATA');
    expect(await probe.check(signal)).toEqual({ ok: true });
    fake.state.alarms.set('orders-errors', 'ALARM');
    expect(await probe.check(signal)).toMatchObject({ ok: false, error: expect.stringMatching(/in ALARM/) });
  });
});
