import { afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../cli/default-registry.js';
import { parseRunbook } from '../runbook/load.js';
import { forgetSecrets, registerSecrets } from './secrets.js';
import { redactRunbookText } from './redact-runbook.js';

const PW = 'Literal-Pass-9';

const RUNBOOK = `# a runbook with literal secrets (which it should not have) and references (which it should)
# the old one was postgres://app:${PW}@db/app
apiVersion: lifeboat/v1
kind: Runbook
name: secrets
objectives: { rto: 30s }
resources:
  a: { type: postgres, dsn: "postgres://app:${PW}@db:5432/app" }
  b: { type: postgres, dsn: "postgres://app:\${env:DB_PASSWORD}@db:5432/app" }
  c: { type: postgres, hosts: ["db:5432"], user: postgres, password: ${PW} }
  d: { type: postgres, hosts: ["db:5432"], user: postgres, password: "\${env:DB_PASSWORD}" }
probes:
  up: { type: postgres.query, endpoints: [a] }
recovery: { all: [up] }
fault:
  - { id: argv, action: exec, command: [mysql, -p${PW}, -p, ${PW}, --password=${PW}, --password, ${PW}, -p, "\${env:DB_PASSWORD}", psql, -p, "5432"] }
  - id: shell
    action: exec
    shell: true
    command: "mysql -p ${PW} && mkdir -p /tmp/x && curl http://admin:${PW}@h/ && psql -p 5432"
    env: { PGPASSWORD: ${PW}, LANG: C.UTF-8, TOKEN: "\${env:API_TOKEN}" }
`;

afterEach(() => forgetSecrets());

describe('redactRunbookText', () => {
  it('masks literal secrets, keeps ${env:...} references, and stays a runbook that parses', () => {
    const text = redactRunbookText(RUNBOOK);
    expect(text).not.toContain(PW);
    const registry = defaultRegistry();
    const before = parseRunbook(RUNBOOK, 'secrets.yaml', registry);
    const after = parseRunbook(text, 'secrets.yaml', registry);
    expect(after.resources).toStrictEqual({
      a: { type: 'postgres', dsn: 'postgres://app:***@db:5432/app' },
      b: before.resources.b,
      c: { ...before.resources.c, password: '***' },
      d: before.resources.d,
    });
    expect(after.fault[0]).toMatchObject({
      command: ['mysql', '-p***', '-p', '***', '--password=***', '--password', '***', '-p', '${env:DB_PASSWORD}', 'psql', '-p', '5432'],
    });
    expect(after.fault[1]).toMatchObject({
      command: 'mysql -p *** && mkdir -p /tmp/x && curl http://admin:***@h/ && psql -p 5432',
      env: { PGPASSWORD: '***', LANG: 'C.UTF-8', TOKEN: '${env:API_TOKEN}' },
    });
    expect(after.name).toBe('secrets');
  });

  it('returns a text with nothing to mask unchanged, byte for byte', () => {
    const clean = RUNBOOK.replaceAll(PW, '${env:DB_PASSWORD}');
    expect(redactRunbookText(clean)).toBe(clean);
  });

  it('leaves a registered value that is also a plain word of the runbook alone, so a resume reads the same runbook', () => {
    // PGUSER=postgres from the environment is masked in what a run writes, but "user: postgres" is no secret.
    registerSecrets(['postgres']);
    const clean = RUNBOOK.replaceAll(PW, '${env:DB_PASSWORD}');
    expect(redactRunbookText(clean)).toBe(clean);
  });
});
