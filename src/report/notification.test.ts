import { describe, expect, it } from 'vitest';
import { notificationText, runNotification } from './notification.js';
import { incompleteRunResult, metRunResult, splitBrainRunResult } from './testing/edge-run-results.js';

describe('the run notification', () => {
  it('carries the result without its timeline, and a one-line text for chat', () => {
    const r = metRunResult();
    const n = runNotification(r);
    const { timeline: _t, ...rest } = r;
    expect(n.result).toEqual(rest);
    expect(n.event).toBe('run.finished');
    expect(n.text).toBe('Lifeboat drill orders-db: *MET* — RTO 1.2s (objective 5s, met) — RPO 0ms (objective 1s, met) — 0 of 56 writes lost — run 20261129-120000-met001');
  });

  it('says what was missed, the lower bound, the split brain and the error', () => {
    expect(notificationText(splitBrainRunResult())).toBe(
      'Lifeboat drill orders-db: *MISSED* — RTO 1.2s (objective 5s, met) — RPO ≥ 1.3s (objective 500ms, missed) — 7 of 56 writes lost — split brain: primary, replica — run 20261129-120000-split1',
    );
    expect(notificationText(incompleteRunResult())).toContain('*INCOMPLETE* (aborted)');
    expect(notificationText(incompleteRunResult())).toContain('error: interrupted by SIGINT');
  });

  it("escapes &, < and > in the text, which Slack reads as links and mentions", () => {
    const text = notificationText({ ...metRunResult(), error: 'see <!channel> & <http://x|y>' });
    expect(text).toContain('error: see &lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(text).not.toMatch(/[<>]/);
  });
});
