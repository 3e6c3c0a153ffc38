import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, forgetSecrets, redactText, redactValue, registerSecrets } from './log.js';

const PASSWORD = 'Sup3r-s3cret!';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SESSION = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';

/** A logger writing to memory; `text()` is everything it wrote. */
function memoryLogger(level = 'debug') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ stream, level });
  return { log, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the message and fields', () => {
    const { log, lines } = memoryLogger();
    log.info({ step: 'promote', host: 'db.internal' }, 'step started');
    expect(lines()).toEqual([expect.objectContaining({ level: 30, msg: 'step started', step: 'promote', host: 'db.internal' })]);
  });

  it('writes nothing below its level', () => {
    const { log, text } = memoryLogger('warn');
    log.info('hello');
    log.debug('details');
    expect(text()).toBe('');
  });

  it('never writes the password of a DSN in a message', () => {
    const { log, text } = memoryLogger();
    log.info(`connecting to postgres://app:${PASSWORD}@db:5432/app`);
    log.warn('retrying %s', `postgresql://app:${PASSWORD}@db/app?sslmode=require`);
    expect(text()).not.toContain(PASSWORD);
    expect(text()).toContain('postgres://app:***@db:5432/app');
    expect(text()).toContain('postgresql://app:***@db/app?sslmode=require');
  });

  it('never writes the password of a DSN in a field, however deep', () => {
    const { log, text } = memoryLogger();
    log.info({ url: `postgres://app:${PASSWORD}@db/app`, target: { spec: { endpoints: [`postgres://u:${PASSWORD}@h/x`] } } }, 'resolved');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).toContain('postgres://app:***@db/app');
  });

  it('never writes a password key=value pair in free text', () => {
    const { log, text } = memoryLogger();
    log.info(`conninfo host=db user=app password=${PASSWORD} dbname=app`);
    log.info({ detail: `password = '${PASSWORD}'` }, 'x');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).toContain('host=db user=app password=*** dbname=app');
  });

  it.each([
    ['at the top level', { password: PASSWORD }],
    ['one level down', { resource: { password: PASSWORD } }],
    ['two levels down', { run: { resource: { password: PASSWORD } } }],
    ['four levels down', { a: { b: { c: { d: { password: PASSWORD } } } } }],
    ['in a list', { resources: [{ name: 'db', password: PASSWORD }] }],
    ['as a dsn field', { spec: { dsn: `host=db password=${PASSWORD}` } }],
    ['as a connectionString field', { a: { b: { connectionString: PASSWORD } } }],
    ['in headers', { request: { headers: { authorization: `Bearer ${PASSWORD}` } } }],
    ['in env', { step: { params: { env: { PGPASSWORD: PASSWORD } } } }],
  ])('never writes a password field %s', (_, fields) => {
    const { log, text } = memoryLogger();
    log.info(fields, 'with secrets');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).toContain('[redacted]');
  });

  it.each([
    ['at the top level', { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET, sessionToken: SESSION }],
    ['one level down', { credentials: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET, sessionToken: SESSION } }],
    ['three levels down', { provider: { aws: { credentials: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET, sessionToken: SESSION } } } }],
  ])('never writes AWS credentials %s', (_, fields) => {
    const { log, text } = memoryLogger();
    log.info(fields, 'aws call');
    expect(text()).not.toContain(AWS_SECRET);
    expect(text()).not.toContain(AWS_KEY_ID);
    expect(text()).not.toContain(SESSION);
  });

  it('never writes an AWS secret key given as text', () => {
    const { log, text } = memoryLogger();
    log.info(`exec env: AWS_SECRET_ACCESS_KEY=${AWS_SECRET} AWS_REGION=eu-west-1`);
    log.info({ stderr: `aws_secret_access_key: ${AWS_SECRET}` }, 'command output');
    expect(text()).not.toContain(AWS_SECRET);
    expect(text()).toContain('AWS_REGION=eu-west-1');
  });

  it('never writes a DSN password from the message of a logged error, and keeps the error readable', () => {
    const { log, text, lines } = memoryLogger();
    log.error({ err: new Error(`cannot connect to postgres://app:${PASSWORD}@db/app`) }, 'step failed');
    log.error(new TypeError(`cannot connect to postgres://app:${PASSWORD}@db/app`));
    expect(text()).not.toContain(PASSWORD);
    const [withField, alone] = lines();
    expect(withField).toMatchObject({ msg: 'step failed', err: { type: 'Error', message: 'cannot connect to postgres://app:***@db/app' } });
    expect(alone).toMatchObject({ msg: 'cannot connect to postgres://app:***@db/app', err: { type: 'TypeError', stack: expect.stringContaining('TypeError: cannot connect to postgres://app:***@db/app') } });
  });

  it('never writes a DSN password from the cause of a logged error', () => {
    const { log, text, lines } = memoryLogger();
    const cause = new Error(`connect ECONNREFUSED for postgres://app:${PASSWORD}@db/app`);
    log.error({ err: new Error('promotion failed', { cause }), other: new RangeError(`bad dsn=postgres://x:${PASSWORD}@h/d`) }, 'step failed');
    expect(text()).not.toContain(PASSWORD);
    expect(lines()[0]).toMatchObject({
      err: { type: 'Error', message: 'promotion failed', cause: { type: 'Error', message: 'connect ECONNREFUSED for postgres://app:***@db/app' } },
      other: { type: 'RangeError', message: 'bad dsn=postgres://x:***@h/d' },
    });
  });

  it('keeps what is not a secret', () => {
    const { log, lines } = memoryLogger();
    log.info({ resource: { host: 'db', port: 5432, user: 'app', database: 'app' }, url: 'http://example.com/health' }, 'ok');
    expect(lines()[0]).toMatchObject({ resource: { host: 'db', port: 5432, user: 'app', database: 'app' }, url: 'http://example.com/health' });
  });
});

describe('redactText', () => {
  it.each([
    ['postgres://app:pw@db/app', 'postgres://app:***@db/app'],
    ['mysql://root:p%40ss@h:3306/x and redis://:tok@cache:6379', 'mysql://root:***@h:3306/x and redis://:***@cache:6379'],
    ['https://user@example.com/', 'https://user@example.com/'],
    // A password with a slash is still hidden, at the price of over-redacting a port followed by a path with "@".
    ['postgres://u:pa/ss@h/db', 'postgres://u:***@h/db'],
    ["password='two words' next", 'password=*** next'],
    ['no secrets here', 'no secrets here'],
  ])('turns %j into %j', (input, output) => {
    expect(redactText(input)).toBe(output);
  });
});

describe('redactValue', () => {
  it('returns a redacted copy and leaves the original as it was', () => {
    const original = { dsn: 'postgres://a:b@c/d', nested: { note: 'postgres://a:b@c/d', list: ['password=x'] }, n: 1, ok: true, nothing: null };
    const copy = redactValue(original);
    expect(copy).toEqual({ dsn: '[redacted]', nested: { note: 'postgres://a:***@c/d', list: ['password=***'] }, n: 1, ok: true, nothing: null });
    expect(original.nested.note).toBe('postgres://a:b@c/d');
  });

  it('redacts secret keys whatever their case', () => {
    expect(redactValue({ Password: 'x', SECRETACCESSKEY: 'y', AccessKeyId: 'z' })).toEqual({ Password: '[redacted]', SECRETACCESSKEY: '[redacted]', AccessKeyId: '[redacted]' });
  });
});

describe('redactText on common secret forms', () => {
  it.each([
    ['PGPASSWORD=s3cret psql -h db', 's3cret'],
    ['postgres://u:p@ss-w0rd@db:5432/app', 'ss-w0rd'],
    ['{"db_password":"s3cret","user":"u"}', 's3cret'],
    ["host=db password='two words' user=u", 'two words'],
  ])('hides the secret in %s', async (text, secret) => {
    const { redactText } = await import('./log.js');
    expect(redactText(text)).not.toContain(secret);
  });
});

describe('registered secrets', () => {
  const SECRET = 'Env-Secret-42';
  afterEach(() => forgetSecrets());

  it('are masked by redactText and redactValue, however deep and in whatever field', () => {
    registerSecrets([SECRET]);
    expect(redactText(`psql said: FATAL password ${SECRET} expired`)).toBe('psql said: FATAL password *** expired');
    expect(redactValue({ exitCode: 1, stdout: `echo ${SECRET}\n`, nested: [{ note: `x${SECRET}y` }] })).toStrictEqual({ exitCode: 1, stdout: 'echo ***\n', nested: [{ note: 'x***y' }] });
  });

  it('never reach the log, whether in the message, a format argument, a field, a binding or an error, and leave the JSON whole', () => {
    registerSecrets([SECRET, '5432']);
    const { log, text, lines } = memoryLogger();
    log.info(`message with ${SECRET}`);
    log.info('format %s and %o and %j', SECRET, { deep: SECRET }, { json: SECRET });
    log.info({ output: { stdout: SECRET }, port: 5432, at: 1764432123456 }, 'fields');
    log.child({ target: `db-${SECRET}` }).warn('child');
    log.error(new Error(`failed with ${SECRET}`));
    log.error({ err: new Error('outer', { cause: new Error(`inner ${SECRET}`) }) }, 'nested');
    expect(text()).not.toContain(SECRET);
    const all = lines();
    expect(all).toHaveLength(6);
    // Numbers stay numbers: only strings are masked.
    expect(all[2]).toMatchObject({ port: 5432, at: 1764432123456, output: { stdout: '***' } });
  });

  it('writes a log file only its owner can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-log-'));
    try {
      const file = join(dir, 'logs', 'lifeboat.log');
      registerSecrets([SECRET]);
      const log = createLogger({ file });
      log.warn(`with ${SECRET}`);
      log.flush();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toContain('with ***');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('passwords on command lines', () => {
  const PW = 'Cmd-Pass-77';
  it.each([
    [`mysql -p${PW} app`, 'mysql -p*** app'],
    [`mysql -p ${PW} app`, 'mysql -p *** app'],
    [`mysql --password=${PW} app`, 'mysql --password=*** app'],
    [`mysql --password ${PW} app`, 'mysql --password *** app'],
    [`mysql --password '${PW}' app`, 'mysql --password *** app'],
    [`sshpass -p "${PW}" ssh db`, 'sshpass -p *** ssh db'],
    [`ssh admin:${PW}@db.internal`, 'ssh admin:***@db.internal'],
    [`proxy=admin:${PW}@proxy:3128`, 'proxy=admin:***@proxy:3128'],
    // JSON argv arrays, as step errors quote commands.
    [JSON.stringify(['mysql', `-p${PW}`]), '["mysql","-p***"]'],
    [JSON.stringify(['mysql', '-p', PW]), '["mysql","-p","***"]'],
    [JSON.stringify(['mysql', '--password', PW]), '["mysql","--password","***"]'],
    [JSON.stringify(['mysql', `--password=${PW}`]), '["mysql","--password=***"]'],
  ])('hides the password in %s', (input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it.each([
    'psql -h db -p 5432 -U app',
    'psql -p5432',
    'ssh -p 22 db',
    'docker run -p 8080:80 nginx',
    'mkdir -p /var/lib/x ./y',
    'find . -path ./x -prune -o -print',
    'git clone git@github.com:org/repo.git',
    'pg_ctl -D /data -p $PGPORT',
  ])('leaves ports, paths and options after -p alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('hides the element after -p or --password in an argv array, but not a port', () => {
    expect(redactValue({ command: ['mysql', '-p', PW, '--password', PW, `-p${PW}`] })).toStrictEqual({ command: ['mysql', '-p', '***', '--password', '***', '-p***'] });
    expect(redactValue({ command: ['psql', '-p', '5432'] })).toStrictEqual({ command: ['psql', '-p', '5432'] });
  });
});
