import { describe, expect, it } from 'vitest';
import { escapeLabelValue, renderPrometheusReport } from './prometheus-report.js';
import { HOSTILE, incompleteRunResult, metRunResult, splitBrainRunResult } from './testing/edge-run-results.js';

/** Samples as `name{labels}` → value (the exposition format's sample lines). */
const samples = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const i = l.lastIndexOf(' ');
        return [l.slice(0, i), Number(l.slice(i + 1))] as const;
      }),
  );

describe('the Prometheus report', () => {
  it('gives the measured RTO and RPO and the objectives in seconds, labelled by runbook and mode', () => {
    const s = samples(renderPrometheusReport(metRunResult()));
    expect(s.get('lifeboat_rto_seconds{runbook="orders-db",mode="drill"}')).toBe(1.2);
    expect(s.get('lifeboat_rpo_seconds{runbook="orders-db",mode="drill"}')).toBe(0);
    expect(s.get('lifeboat_objective_seconds{runbook="orders-db",mode="drill",objective="rto"}')).toBe(5);
    expect(s.get('lifeboat_objective_seconds{runbook="orders-db",mode="drill",objective="rpo"}')).toBe(1);
    expect(s.get('lifeboat_objective_met{runbook="orders-db",mode="drill",objective="rto"}')).toBe(1);
    expect(s.get('lifeboat_verdict{runbook="orders-db",mode="drill",verdict="met"}')).toBe(1);
    expect(s.get('lifeboat_verdict{runbook="orders-db",mode="drill",verdict="missed"}')).toBe(0);
    expect(s.get('lifeboat_lost_writes{runbook="orders-db",mode="drill"}')).toBe(0);
    expect(s.get('lifeboat_run_duration_seconds{runbook="orders-db",mode="drill"}')).toBe(8.5);
    // A run that met its objectives is its own last success.
    expect(s.get('lifeboat_last_success_timestamp_seconds{runbook="orders-db",mode="drill"}')).toBe(metRunResult().finishedAt / 1000);
  });

  it('has HELP and TYPE once before the samples of each metric, and no timestamps', () => {
    const text = renderPrometheusReport(splitBrainRunResult());
    const lines = text.trimEnd().split('\n');
    const names = [...new Set(lines.filter((l) => !l.startsWith('#')).map((l) => /^[a-z_]+/.exec(l)![0]))];
    for (const name of names) {
      expect(lines.filter((l) => l === `# TYPE ${name} gauge`)).toHaveLength(1);
      const help = lines.findIndex((l) => l.startsWith(`# HELP ${name} `));
      expect(lines[help + 1]).toBe(`# TYPE ${name} gauge`);
      expect(lines[help + 2]!.startsWith(name)).toBe(true);
    }
    for (const l of lines.filter((x) => !x.startsWith('#'))) expect(l).toMatch(/^lifeboat_[a-z_]+\{[^}]*\} -?[0-9.e+-]+$/);
  });

  it('shows a missed RPO, a lower bound, lost writes and split brain, and the last success it was given', () => {
    const r = splitBrainRunResult();
    const s = samples(renderPrometheusReport(r, { lastSuccessAt: Date.UTC(2026, 8, 1) }));
    expect(s.get('lifeboat_rpo_seconds{runbook="orders-db",mode="drill"}')).toBe(1.3);
    expect(s.get('lifeboat_rpo_lower_bound{runbook="orders-db",mode="drill"}')).toBe(1);
    expect(s.get('lifeboat_objective_met{runbook="orders-db",mode="drill",objective="rpo"}')).toBe(0);
    expect(s.get('lifeboat_objective_margin_seconds{runbook="orders-db",mode="drill",objective="rpo"}')).toBe(-0.8);
    expect(s.get('lifeboat_lost_writes{runbook="orders-db",mode="drill"}')).toBe(7);
    expect(s.get('lifeboat_split_brain{runbook="orders-db",mode="drill"}')).toBe(1);
    expect(s.get('lifeboat_verdict{runbook="orders-db",mode="drill",verdict="missed"}')).toBe(1);
    expect(s.get('lifeboat_last_success_timestamp_seconds{runbook="orders-db",mode="drill"}')).toBe(Date.UTC(2026, 8, 1) / 1000);
  });

  it('leaves out what was not measured instead of reporting 0, and the last success when none is known', () => {
    const text = renderPrometheusReport(incompleteRunResult());
    const s = samples(text);
    expect(text).not.toContain('lifeboat_rto_seconds');
    expect(text).not.toContain('lifeboat_rpo_seconds');
    expect(text).not.toContain('lifeboat_objective_margin_seconds');
    expect(text).not.toContain('lifeboat_last_success_timestamp_seconds');
    expect(s.get('lifeboat_verdict{runbook="orders-db",mode="drill",verdict="incomplete"}')).toBe(1);
    expect(s.get('lifeboat_objectives_met{runbook="orders-db",mode="drill"}')).toBe(0);
  });

  it('escapes backslashes, double quotes and line feeds in label values', () => {
    expect(escapeLabelValue(HOSTILE.labels.path)).toBe('C:\\\\drills\\\\\\"q\\"\\nnext');
    const text = renderPrometheusReport({ ...metRunResult(), runbook: 'a"b\\c\nd' });
    expect(text).toContain('lifeboat_rto_seconds{runbook="a\\"b\\\\c\\nd",mode="drill"} 1.2');
  });
});
