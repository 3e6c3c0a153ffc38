import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initTemplates } from '../src/cli/init-templates.js';
import { runCli, tempStateDir } from './support/run-cli.js';

describe('lifeboat init', () => {
  it('writes every template as a file that validates as written, named after the file', async () => {
    const templates = initTemplates();
    expect(templates.map((t) => t.name)).toEqual(expect.arrayContaining(['aws-aurora', 'aws-ec2', 'aws-rds', 'aws-s3', 'backup-policy', 'docker-postgres', 'local-postgres']));
    const dir = tempStateDir();
    const files: string[] = [];
    for (const t of templates) {
      const file = join(dir, 'drills', `my-${t.name}.yaml`);
      const r = await runCli(['init', '--template', t.name, file]);
      expect({ template: t.name, code: r.code, stderr: r.stderr }).toStrictEqual({ template: t.name, code: 0, stderr: '' });
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^name: my-${t.name}$`, 'm'));
      files.push(file);
    }
    const validate = await runCli(['validate', '--json', ...files]);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true });
    expect(validate.code).toBe(0);
    const list = await runCli(['init', '--list']);
    expect(list.stdout).toMatch(/^local-postgres\s+Runbook\s+A drill on a local PostgreSQL primary/m);
  });

  it('never overwrites a file, and refuses an unknown template, exit 2', async () => {
    const file = join(tempStateDir(), 'orders.yaml');
    writeFileSync(file, 'mine\n');
    const r = await runCli(['init', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} exists; not overwritten`);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    const unknown = await runCli(['init', '--template', 'oracle-rac', join(tempStateDir(), 'x.yaml')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no template oracle-rac; templates: .*local-postgres/);
  });
});
