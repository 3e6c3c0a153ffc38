import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunitReport } from './junit-report.js';
import { HOSTILE, incompleteRunResult, metRunResult, splitBrainRunResult } from './testing/edge-run-results.js';
import { sampleRunResult } from './testing/sample-run-result.js';

interface Case {
  classname: string;
  name: string;
  time: string;
  failure?: { type: string; message: string; '#text'?: string };
  error?: { type: string; message: string; '#text'?: string };
  'system-out'?: string;
}

/** Parses JUnit XML the way a CI server does: the suite's counts and its test cases. */
function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testcase', 'property'].includes(name), parseAttributeValue: false, trimValues: false, htmlEntities: true }).parse(xml);
  const suite = doc.testsuites.testsuite;
  return { suites: doc.testsuites, suite, cases: suite.testcase as Case[] };
}

describe('the JUnit report', () => {
  it('has one test case per objective and per step, plus the run and its cleanup, all passing when met', () => {
    const { suite, cases } = parse(renderJunitReport(metRunResult()));
    expect(cases.map((c) => c.name)).toEqual(['drill completes', 'RTO ≤ 5s', 'RPO ≤ 1s', 'kill-primary', 'promote', 'cleanup']);
    expect(cases.filter((c) => c.failure || c.error)).toEqual([]);
    expect(suite).toMatchObject({ tests: '6', failures: '0', errors: '0', time: '8.500' });
    expect(cases.find((c) => c.name === 'promote')).toMatchObject({ classname: 'lifeboat.orders-db.failover', time: '0.900' });
  });

  it('shows a missed RTO as a failed test with the measured value, objective and margin', () => {
    const { suites, cases } = parse(renderJunitReport(sampleRunResult()));
    const rto = cases.find((c) => c.name === 'RTO ≤ 5s')!;
    expect(rto.failure).toMatchObject({ type: 'ObjectiveMissed', message: 'RTO missed: measured 7s, objective 5s, margin -2s' });
    const rpo = cases.find((c) => c.name === 'RPO ≤ 0ms')!;
    expect(rpo.failure).toMatchObject({ type: 'ObjectiveMissed', message: 'RPO missed: measured markers | unreadable, objective 0ms' });
    // The failed step is a failure too, with its attempts and its error, line break kept.
    const promote = cases.find((c) => c.name === 'promote')!;
    expect(promote.failure!.message).toBe('failover/promote failed after 3 attempts: pg_ctl: exit 1 | server not\nready');
    // RTO, RPO, the failed step and the cleanup; the run that failed is an error.
    expect(suites).toMatchObject({ tests: '6', failures: '4', errors: '1' });
  });

  it('shows a split brain that missed its RPO as a failure with the lower bound', () => {
    const { cases } = parse(renderJunitReport(splitBrainRunResult()));
    expect(cases.find((c) => c.name === 'RTO ≤ 5s')!.failure).toBeUndefined();
    expect(cases.find((c) => c.name === 'RPO ≤ 500ms')!.failure!.message).toBe('RPO missed: measured ≥ 1.3s, objective 500ms, margin -800ms');
  });

  it('reports an interrupted run and its unfinished step as errors, and a failed cleanup as a failure', () => {
    const { cases } = parse(renderJunitReport(incompleteRunResult()));
    expect(cases.find((c) => c.name === 'drill completes')!.error).toMatchObject({ type: 'RunAborted', message: 'the drill aborted: interrupted by SIGINT' });
    expect(cases.find((c) => c.name === 'promote')!.error).toMatchObject({ type: 'StepIncomplete', message: 'failover/promote did not finish (1 attempt): interrupted by SIGINT' });
    expect(cases.find((c) => c.name === 'RTO ≤ 5s')!.failure!.message).toBe('RTO missed: measured not recovered, objective 5s');
    expect(cases.find((c) => c.name === 'cleanup')!.failure!.message).toBe('teardown: port 5433 busy');
  });

  it('escapes runbook and target text, and replaces characters XML cannot hold', () => {
    const r = metRunResult();
    r.steps[1] = { ...r.steps[1]!, status: 'failed', error: HOSTILE.error };
    const xml = renderJunitReport(r);
    const { suite, cases } = parse(xml);
    expect(cases.find((c) => c.name === 'promote')!.failure!['#text']).toBe('pg_ctl: exit 1 <server> "not ready" & \uFFFD\uFFFD bell');
    const props = Object.fromEntries((suite.properties.property as Array<{ name: string; value: string }>).map((p) => [p.name, p.value]));
    expect(props.owner).toBe(HOSTILE.owner);
    expect(props['label.path']).toBe(HOSTILE.labels.path);
    expect(cases.find((c) => c.name === 'kill-primary')!['system-out']).toContain(HOSTILE.stepDescription);
    expect(xml).not.toMatch(/[\u0001\u0007]/);
  });
});
