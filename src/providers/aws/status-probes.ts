import { z } from 'zod';
import { messageOf } from '../../errors.js';
import type { ProbeDef } from '../types.js';
import { awsSession, targetOf } from './aws-session.js';
import { findInstance } from './ec2-resources.js';
import { describeDbCluster, describeDbInstance } from './rds-describe.js';

/** `aws.rds.status`: healthy while the instance (or cluster) reports the expected status. */
export const rdsStatusProbe: ProbeDef<{ expect: string }> = {
  type: 'aws.rds.status',
  description: 'Healthy while the RDS instance or Aurora cluster reports the expected status (default available).',
  targets: 'target',
  targetTypes: ['aws.rds.instance', 'aws.rds.cluster'],
  params: z.object({ expect: z.string().default('available').describe('Status that counts as healthy.') }),
  permissions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
  create(ctx, p) {
    const ref = ctx.endpoints[0]!;
    return {
      async check(signal) {
        try {
          const s = awsSession(ctx);
          const w = `probe ${ctx.probeName}`;
          const status = ref.type === 'aws.rds.cluster' ? (await describeDbCluster(s, ref, w, signal)).Status : (await describeDbInstance(s, ref, w, signal)).DBInstanceStatus;
          return status === p.expect ? { ok: true, endpoint: ref.name } : { ok: false, error: `${ref.name} is ${status}`, endpoint: ref.name };
        } catch (err) {
          return { ok: false, error: messageOf(err), endpoint: ref.name };
        }
      },
      async close() {},
    };
  },
};

/** `aws.ec2.status`: healthy while the instance is running (and, by default, its status checks pass). */
export const ec2StatusProbe: ProbeDef<{ statusChecks: boolean }> = {
  type: 'aws.ec2.status',
  description: 'Healthy while the EC2 instance is running and (statusChecks: true) its instance and system status checks are ok.',
  targets: 'target',
  targetTypes: ['aws.ec2.instance'],
  params: z.object({ statusChecks: z.boolean().default(false).describe('Also require the instance and system status checks to be ok.') }),
  permissions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
  create(ctx, p) {
    const ref = ctx.endpoints[0]!;
    return {
      async check(signal) {
        try {
          const s = awsSession(ctx);
          const w = `probe ${ctx.probeName}`;
          const i = await findInstance(s, ref, w, signal);
          if (i.State?.Name !== 'running') return { ok: false, error: `${ref.name} is ${i.State?.Name}`, endpoint: ref.name };
          if (!p.statusChecks) return { ok: true, endpoint: ref.name };
          const ec2 = await import('@aws-sdk/client-ec2');
          const st = (await s.call('ec2', targetOf(ref), new ec2.DescribeInstanceStatusCommand({ InstanceIds: [i.InstanceId] }), w, signal)).InstanceStatuses?.[0];
          const ok = st?.InstanceStatus?.Status === 'ok' && st?.SystemStatus?.Status === 'ok';
          return ok ? { ok: true, endpoint: ref.name } : { ok: false, error: `${ref.name} status checks: instance ${st?.InstanceStatus?.Status}, system ${st?.SystemStatus?.Status}`, endpoint: ref.name };
        } catch (err) {
          return { ok: false, error: messageOf(err), endpoint: ref.name };
        }
      },
      async close() {},
    };
  },
};

/** `aws.cloudwatch.alarm`: healthy unless the alarm is in ALARM (a stop condition, as FIS has them). */
export const cloudwatchAlarmProbe: ProbeDef<{ alarmName: string; region?: string }> = {
  type: 'aws.cloudwatch.alarm',
  description: 'Healthy unless the CloudWatch alarm is in ALARM (OK and INSUFFICIENT_DATA count as healthy); name it in stopWhen to stop a run.',
  targets: 'none',
  params: z.object({ alarmName: z.string().min(1).describe('Alarm name.'), region: z.string().optional().describe('Region of the alarm (default --region / AWS_REGION).') }),
  permissions: ['cloudwatch:DescribeAlarms'],
  create(ctx, p) {
    return {
      async check(signal) {
        try {
          const cw = await import('@aws-sdk/client-cloudwatch');
          const out = await awsSession(ctx).call('cloudwatch', p.region ? { region: p.region } : {}, new cw.DescribeAlarmsCommand({ AlarmNames: [p.alarmName] }), `probe ${ctx.probeName}`, signal);
          const alarm = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])][0];
          if (!alarm) return { ok: false, error: `alarm ${p.alarmName} not found` };
          return alarm.StateValue === 'ALARM' ? { ok: false, error: `alarm ${p.alarmName} is in ALARM: ${alarm.StateReason ?? ''}` } : { ok: true };
        } catch (err) {
          return { ok: false, error: messageOf(err) };
        }
      },
      async close() {},
    };
  },
};
