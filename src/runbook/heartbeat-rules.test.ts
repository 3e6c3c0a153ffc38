import { describe, expect, it } from 'vitest';
import { accepted, pathsAndMessages } from './testing/problems.js';

const RUNBOOK = `apiVersion: lifeboat/v1
kind: Runbook
name: hb
objectives: { rpo: 30s }
resources:
  db: { type: postgres, dsn: "postgres://app@db/orders" }
  web: { type: http, url: "http://127.0.0.1:8080" }
heartbeat: { target: db, interval: 1s }
`;

describe('heartbeat: and stopWhen', () => {
  it('accepts a heartbeat on a PostgreSQL resource; it measures the RPO without a writes probe', () => {
    expect(accepted(RUNBOOK).heartbeat).toEqual({ target: 'db', interval: '1s', table: 'lifeboat_heartbeat', prefix: 'lifeboat-heartbeat/', retention: '1h' });
  });

  it.each([
    ['an unknown resource', 'target: db', 'target: nope', 'heartbeat.target', 'no resource named "nope" (resources: db, web)'],
    ['a resource that cannot keep beats', 'target: db', 'target: web', 'heartbeat.target', 'resource "web" is of type http; a heartbeat writes to postgres or aws.s3.bucket'],
    ['a zero interval', 'interval: 1s', 'interval: 0s', 'heartbeat.interval', 'must be greater than zero'],
    ['a table name that is not an identifier', 'interval: 1s', 'interval: 1s, table: "x; drop table y"', 'heartbeat.table', 'expected a plain SQL table name (letters, digits, _)'],
  ])('rejects %s', (_, from, to, path, message) => {
    expect(pathsAndMessages(RUNBOOK.replace(from, to))).toEqual([{ path, message }]);
  });

  it('an RPO objective without a heartbeat still needs a writes probe', () => {
    expect(pathsAndMessages(RUNBOOK.replace('heartbeat: { target: db, interval: 1s }\n', ''))).toEqual([
      { path: 'objectives.rpo', message: expect.stringMatching(/^an RPO objective needs a probe of type postgres.writes/) },
    ]);
  });
});
