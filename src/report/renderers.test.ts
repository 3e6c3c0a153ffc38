import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunResult } from '../verify/run-result.js';
import { REPORT_FORMATS, rendererFor, reportRenderers, type ReportFormat } from './renderers.js';
import { sampleRunResult } from './testing/sample-run-result.js';

// Records every call into node:fs and node:fs/promises made while this file's modules run.
const { fsCalls, recordCalls } = vi.hoisted(() => {
  const fsCalls: string[] = [];
  const wrap = (name: string, o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k,
        // Lower-case names only: constructors (fs.Dirent, …) keep working with `new`.
        typeof v === 'function' && /^[a-z]/.test(k)
          ? (...args: unknown[]) => {
              fsCalls.push(`${name}.${k}`);
              return (v as (...a: unknown[]) => unknown)(...args);
            }
          : v,
      ]),
    );
  const recordCalls = (name: string, mod: Record<string, unknown>) => ({
    ...wrap(name, mod),
    default: wrap(name, (mod.default ?? mod) as Record<string, unknown>),
  });
  return { fsCalls, recordCalls };
});
vi.mock('node:fs', async (importOriginal) => recordCalls('fs', await importOriginal()));
vi.mock('node:fs/promises', async (importOriginal) => recordCalls('fs/promises', await importOriginal()));

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

// Type-checked to name every format: adding one to ReportFormat breaks this line until the
// list and these tests cover it.
const allFormats: Record<ReportFormat, true> = { json: true, md: true, html: true, junit: true, prom: true };

afterEach(() => {
  vi.useRealTimers();
});

describe('reportRenderers', () => {
  it('lists json, md, html, junit and prom, each with its own file name and media type', () => {
    expect(reportRenderers.map((r) => r.format)).toEqual(['json', 'md', 'html', 'junit', 'prom']);
    expect(reportRenderers.map((r) => r.format)).toEqual(REPORT_FORMATS);
    expect(reportRenderers.map((r) => r.fileName)).toEqual(['report.json', 'report.md', 'report.html', 'report.junit.xml', 'report.prom']);
    expect(new Set(reportRenderers.map((r) => r.fileName)).size).toBe(reportRenderers.length);
    for (const r of reportRenderers) expect(r.mediaType).toMatch(/^[a-z]+\/[a-z.+-]+/);
  });

  it('covers every report format exactly once', () => {
    expect(reportRenderers.map((r) => r.format).sort()).toEqual(Object.keys(allFormats).sort());
  });

  it('finds each renderer by its format', () => {
    for (const r of reportRenderers) expect(rendererFor(r.format)).toBe(r);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(reportRenderers)).toBe(true);
  });
});

describe.each(reportRenderers.map((r) => [r.format, r] as const))('the %s renderer', (_format, renderer) => {
  it('is pure: same output for the same result, at any time, touching no file and not the result', () => {
    const result = deepFreeze(sampleRunResult());
    const before = structuredClone(result);
    fsCalls.length = 0;
    vi.useFakeTimers({ now: Date.UTC(2030, 5, 6) });
    const first = renderer.render(result);
    vi.setSystemTime(Date.UTC(2031, 7, 8));
    const second = renderer.render(result);
    expect(second).toBe(first);
    expect(renderer.render(sampleRunResult())).toBe(first);
    expect(result).toEqual(before);
    expect(fsCalls).toEqual([]);
  });

  it('ends its output with a newline', () => {
    expect(renderer.render(sampleRunResult())).toMatch(/\n$/);
  });
});

describe('the json renderer', () => {
  it('parses back to the run result', () => {
    const result = sampleRunResult();
    expect(JSON.parse(rendererFor('json').render(result)) as RunResult).toEqual(result);
  });
});

describe('the md renderer', () => {
  /** Cells of a Markdown table row, split on unescaped pipes. */
  const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());

  it('escapes a | in a step error so the steps table keeps six columns', () => {
    const md = rendererFor('md').render(sampleRunResult());
    const row = md.split('\n').find((l) => l.startsWith('| failover | promote |'));
    expect(row).toBeDefined();
    expect(cells(row!)).toEqual(['failover', 'promote', 'failed', '3', expect.any(String), 'pg_ctl: exit 1 \\| server not ready']);
  });

  it('escapes a | in an unmeasured objective reason so the objectives table keeps five columns', () => {
    const md = rendererFor('md').render(sampleRunResult());
    const row = md.split('\n').find((l) => l.startsWith('| RPO |'));
    expect(row).toBeDefined();
    expect(cells(row!)).toHaveLength(5);
    expect(cells(row!)[2]).toBe('markers \\| unreadable');
  });

  it('shows the verdict, the run error and the cleanup errors', () => {
    const md = rendererFor('md').render(sampleRunResult());
    expect(md).toContain('verdict: **MISSED**');
    expect(md).toContain('- Error: step promote failed');
    expect(md).toContain('- Cleanup: teardown: port 5433 busy');
  });
});
