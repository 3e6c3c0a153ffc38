// AWS runbook mistakes are reported before anything runs, with file, line and field.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { parseRunbook } from '../src/runbook/load.js';

const registry = defaultRegistry();
const doc = (lines: string[]) =>
  ['apiVersion: lifeboat/v1', 'kind: Runbook', 'name: v', 'objectives: { rto: 1m }', 'probes:', '  up: { type: aws.ec2.status, target: app }', 'recovery: { all: [up] }', ...lines].join('\n');
const problems = (text: string): string[] => {
  try {
    parseRunbook(text, 'v.yaml', registry);
    return [];
  } catch (err) {
    return String((err as Error).message).split('\n');
  }
};

describe('AWS runbook validation', () => {
  it('an EC2 instance needs exactly one of id or tags', () => {
    expect(problems(doc(['resources:', '  app: { type: aws.ec2.instance, region: us-east-1 }']))).toEqual(['v.yaml:9:8: resources.app.id: give exactly one of id or tags']);
    expect(problems(doc(['resources:', '  app: { type: aws.ec2.instance, id: i-0aaaaaaaaaaaaaaa1, tags: { Name: a } }']))).toEqual(['v.yaml:9:65: resources.app.tags: give exactly one of id or tags']);
    expect(problems(doc(['resources:', '  app: { type: aws.ec2.instance, tags: { Name: a } }']))).toEqual([]);
  });

  it('safety.allowUntagged names resources of the runbook, and allowTag is key=value', () => {
    const base = ['resources:', '  app: { type: aws.ec2.instance, id: i-0aaaaaaaaaaaaaaa1 }'];
    expect(problems(doc([...base, 'safety: { allowUntagged: [app, nope] }']))).toEqual([expect.stringMatching(/^v\.yaml:10:\d+: safety\.allowUntagged\[1\]: no resource named "nope"$/)]);
    expect(problems(doc([...base, 'safety: { allowTag: drill }']))).toEqual([expect.stringMatching(/^v\.yaml:10:\d+: safety\.allowTag: expected key=value/)]);
  });

  it('action parameters never reuse the common step fields, and a fault-only action stays in the fault phase', () => {
    for (const a of registry.actions().filter((x) => x.name.startsWith('aws.')))
      for (const k of Object.keys(a.params.shape)) expect(['id', 'target', 'timeout', 'retry', 'description', 'action', 'onFailure', 'compensate', 'parallel']).not.toContain(k);
    const text = doc(['resources:', '  app: { type: aws.ec2.instance, id: i-0aaaaaaaaaaaaaaa1 }', 'failover:', '  - { id: chaos, action: aws.fis.start-experiment, templateId: EXTabc }']);
    expect(problems(text)).toEqual([expect.stringMatching(/failover\[0\]\.action: .*aws\.fis\.start-experiment.*fault/)]);
  });
});
