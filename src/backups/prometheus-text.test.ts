import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { PolicyCheckResult } from './check-policy.js';
import { backupMetrics } from './prometheus-text.js';

const AT = Date.UTC(2026, 0, 15, 12, 0, 0);

function result(over: Partial<PolicyCheckResult>): PolicyCheckResult {
  return {
    policy: 'orders',
    file: 'p.yaml',
    resource: 'orders-db',
    checkedAt: AT,
    compliant: true,
    rules: [
      { rule: 'copies', passed: true, need: '3', why: '' },
      { rule: 'immutable', passed: false, need: '1', why: '' },
    ],
    copies: 4,
    media: ['disk', 'object storage'],
    offsite: 2,
    immutable: 0,
    newest: { id: 'x', createdAt: AT - 90_500, ageMs: 90_500 },
    notes: [],
    sourceErrors: [],
    ...over,
  };
}

describe('backup metrics in Prometheus text format', () => {
  it('gives one family per figure with every policy as a sample, and promtool accepts it', () => {
    const text = backupMetrics([result({}), result({ policy: 'we"ird\\name', resource: 'billing', compliant: false, newest: undefined, sourceErrors: [{ source: 's', error: 'e' }] })]);
    execFileSync('promtool', ['check', 'metrics'], { input: text });
    expect(text).toContain('# TYPE lifeboat_backup_copies gauge\nlifeboat_backup_copies{policy="orders",resource="orders-db"} 4\nlifeboat_backup_copies{policy="we\\"ird\\\\name",resource="billing"} 4\n');
    expect(text).toContain('lifeboat_backup_newest_age_seconds{policy="orders",resource="orders-db"} 90.5\n');
    expect(text).not.toContain('lifeboat_backup_newest_age_seconds{policy="we');
    expect(text).toContain('lifeboat_backup_rule_compliant{policy="orders",resource="orders-db",rule="immutable"} 0\n');
    expect(text).toContain('lifeboat_backup_source_errors{policy="we\\"ird\\\\name",resource="billing"} 1\n');
    expect(text).toContain(`lifeboat_backup_check_timestamp_seconds{policy="orders",resource="orders-db"} ${AT / 1000}\n`);
  });
});
