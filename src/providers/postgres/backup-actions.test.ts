import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../cli/default-registry.js';
import { planRun } from '../../engine/plan.js';
import { accepted, pathsAndMessages } from '../../runbook/testing/problems.js';

const RESTORE_RUNBOOK = readFileSync(new URL('../../../runbooks/local-postgres-restore.yaml', import.meta.url), 'utf8');

const runbook = (steps: { fault?: string; failover?: string }, lab = 'driver: process') => `apiVersion: lifeboat/v1
kind: Runbook
name: r
objectives: { rto: 30s }
lab:
  ${lab}
  services:
    primary: { kind: postgres }
    restored: { kind: postgres, empty: true }
resources:
  primary: { type: lab.postgres, service: primary }
  restored: { type: lab.postgres, service: restored }
  db: { type: postgres, dsn: "postgres://x@127.0.0.1:1/x" }
  store: { type: aws.s3.bucket, bucket: backups, endpoint: "http://127.0.0.1:4569" }
probes:
  w: { type: postgres.writes, endpoints: [primary, restored] }
recovery: { all: [w] }
fault:
${steps.fault ?? '  - { id: kill, action: lab.kill, target: primary }'}
failover:
${steps.failover ?? '  - { id: restore, action: postgres.restore, target: restored, path: /tmp/b, set: primary }'}
`;

describe('postgres.backup and postgres.restore in runbooks', () => {
  it('accept the example restore drill and plan both steps as mutating', () => {
    const rb = accepted(RESTORE_RUNBOOK);
    const steps = planRun(rb, 'drill', defaultRegistry()).phases.flatMap((p) => p.steps);
    expect(steps.filter((s) => s.action.startsWith('postgres.')).map((s) => [s.id, s.mutating])).toEqual([
      ['backup', true],
      ['restore', true],
    ]);
  });

  it('accept a backup of any PostgreSQL resource to S3 and a restore from it', () => {
    accepted(
      runbook({
        fault: '  - { id: b, action: postgres.backup, target: db, method: dump, bucket: store, prefix: drills/ }\n  - { id: kill, action: lab.kill, target: primary }',
        failover: '  - { id: restore, action: postgres.restore, target: restored, bucket: store, prefix: drills/, set: db }',
      }),
    );
  });

  it('want exactly one of path and bucket, a prefix only with a bucket, a known bucket resource', () => {
    const problems = pathsAndMessages(
      runbook({
        fault: [
          '  - { id: b1, action: postgres.backup, target: primary }',
          '  - { id: b2, action: postgres.backup, target: primary, path: /tmp/b, bucket: store }',
          '  - { id: b3, action: postgres.backup, target: primary, path: /tmp/b, prefix: x/ }',
          '  - { id: b4, action: postgres.backup, target: primary, bucket: nope, method: tar }',
        ].join('\n'),
      }),
    );
    expect(problems).toEqual([
      { path: 'fault[0].path', message: expect.stringContaining('give where the backups live') },
      { path: 'fault[1].bucket', message: 'give path or bucket, not both' },
      { path: 'fault[2].prefix', message: 'prefix is for S3 (with bucket)' },
      { path: 'fault[3].bucket', message: expect.stringContaining('no resource named "nope"') },
      { path: 'fault[3].method', message: expect.stringContaining('basebackup') },
    ]);
  });

  it('restore only into a lab service, with a set', () => {
    const problems = pathsAndMessages(runbook({ failover: '  - { id: restore, action: postgres.restore, target: db, path: /tmp/b }' }));
    expect(problems.map((p) => p.path)).toEqual(['failover[0].set', 'failover[0].target']);
    expect(problems[1]!.message).toContain('expected lab.postgres');
  });

  it('refuse an empty service on a driver that cannot restore into it', () => {
    const problems = pathsAndMessages(runbook({}, 'driver: docker'));
    expect(problems).toContainEqual({ path: 'lab.services.restored.empty', message: expect.stringContaining('the docker driver cannot restore into a lab service') });
    expect(problems).toContainEqual({ path: 'failover[0].action', message: expect.stringContaining('needs lab services that can restore') });
  });

  it('refuse an empty replica', () => {
    const text = runbook({}).replace('restored: { kind: postgres, empty: true }', 'restored: { kind: postgres, empty: true, replicaOf: primary }');
    expect(pathsAndMessages(text)).toContainEqual({ path: 'lab.services.restored.empty', message: expect.stringContaining('an empty service cannot be a replica') });
  });
});
