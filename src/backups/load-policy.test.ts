import { describe, expect, it } from 'vitest';
import { InvalidRunbookError } from '../errors.js';
import { declaredKind, parsePolicy } from './load-policy.js';

const POLICY = `apiVersion: lifeboat/v1
kind: BackupPolicy
name: orders
resource: orders-db
primary: { location: eu-west-1 }
sources:
  - type: aws.s3
    bucket: dumps
rules:
  maxAge: 90d
`;

function problems(text: string) {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    if (err instanceof InvalidRunbookError) return err.problems;
    throw err;
  }
  return [];
}

describe('backup policy files', () => {
  it('fill in the rules defaults and accept ages longer than a timer can hold', () => {
    const p = parsePolicy(POLICY, 'p.yaml');
    expect(p.rules).toEqual({ copies: 3, media: 2, offsite: 1, immutable: 1, maxFailedRestores: 0, maxAge: '90d' });
    expect(p.primary.medium).toBe('disk');
    expect(p.sources[0]).toEqual({ type: 'aws.s3', bucket: 'dumps', prefix: '', replication: true });
  });

  it('report each problem at its line and column with its path', () => {
    const text = POLICY.replace('    bucket: dumps', '    bucket: dumps\n    versions: all').replace('maxAge: 90d', 'maxAge: soon\n  copies: 0');
    expect(problems(text)).toEqual([
      { file: 'p.yaml', line: 9, column: 5, path: 'sources[0].versions', message: expect.stringContaining('versions') },
      { file: 'p.yaml', line: 11, column: 11, path: 'rules.maxAge', message: 'expected a duration such as 250ms, 30s, 5m or 2h' },
      { file: 'p.yaml', line: 12, column: 11, path: 'rules.copies', message: expect.stringMatching(/>=\s*1|at least|too small/i) },
    ]);
  });

  it('refuse a source of an unknown type and an EBS source that names no snapshots', () => {
    expect(problems(POLICY.replace('type: aws.s3', 'type: aws.glacier'))[0]).toMatchObject({ line: 7, path: 'sources[0].type' });
    expect(problems(POLICY.replace('  - type: aws.s3\n    bucket: dumps', '  - type: aws.ebs\n    regions: [eu-west-1]'))[0]).toMatchObject({ path: 'sources[0]', message: 'name the snapshots: volumeId or tags' });
  });

  it('are told apart from runbooks by their kind', () => {
    expect(declaredKind(POLICY)).toBe('BackupPolicy');
    expect(declaredKind('kind: Runbook')).toBe('Runbook');
    expect(declaredKind(': : :')).toBeUndefined();
  });
});
