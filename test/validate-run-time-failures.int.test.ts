import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempStateDir } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lifeboat-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `lifeboat validate <file>`, without debug output. */
const validate = (file: string) => runCli(['validate', file], { LIFEBOAT_DEBUG: '', LIFEBOAT_HOME: tempStateDir() });

/** Lines of a stack trace, which users must never see for their own mistakes. */
const stackLines = (text: string) => text.split('\n').filter((l) => /^\s+at /.test(l));

// Each test spawns its own process; they run a few at a time.
describe.concurrent('lifeboat validate refuses what would only fail at run time', () => {
  it.each([
    [
      'a failover step using the output of a failback step',
      'test/fixtures/reference-to-failback-step.yaml',
      ['test/fixtures/reference-to-failback-step.yaml:21:51: failover[1].command[1]: reference "${steps.rejoin.method}": step "rejoin" is in failback, which runs after failover'],
    ],
    [
      'a wait longer than a timer can hold',
      'test/fixtures/thirty-day-wait.yaml',
      ['test/fixtures/thirty-day-wait.yaml:12:47: fault[0].duration: must be at most 24d20h31m23.647s (2147483647ms), the longest a timer can wait'],
    ],
    [
      'a JSON runbook holding the WAL of a replica and rejoining a service to itself',
      'test/fixtures/lab-roles.json',
      [
        "test/fixtures/lab-roles.json:19:66: fault[0].target: hold-wal holds a primary's WAL senders; replica is a replica of primary",
        'test/fixtures/lab-roles.json:23:94: failback[0].source: cannot rejoin a service to itself',
      ],
    ],
  ])('exits 2 for %s, printing each problem', async (_, file, lines) => {
    const r = await validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual(lines);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a document nested 10,000 levels deep, in plain words', async () => {
    const file = join(scratch, 'deep.yaml');
    writeFileSync(file, `apiVersion: lifeboat/v1\nlabels: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const r = await validate(file);
    expect(r.code).toBe(2);
    // The 64th bracket (column 9 + 63) opens level 65.
    expect(r.stderr.trimEnd().split('\n')).toEqual([`${file}:2:72: (root): nested too deeply (more than 64 levels of mappings and lists)`]);
    expect(r.stderr).not.toMatch(/call stack|internal/i);
    expect(stackLines(r.stderr)).toEqual([]);
  });

  it('exits 2 for a FIFO instead of waiting for a writer', async () => {
    const fifo = join(scratch, 'runbook.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await validate(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`${fifo}:1:1: (root): is not a regular file (a FIFO)`]);
  });

  it('exits 2 for /dev/zero instead of reading forever', async () => {
    const r = await validate('/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['/dev/zero:1:1: (root): is not a regular file (a character device)']);
  });
});
