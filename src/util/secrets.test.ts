import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, maskSecrets, maskSecretsInJsonLine, MIN_SECRET_LENGTH, registerSecrets } from './secrets.js';

afterEach(() => forgetSecrets());

describe('the secret registry', () => {
  it('masks a registered value wherever it appears in text', () => {
    registerSecrets(['hunter2-xyz']);
    expect(maskSecrets('connect failed: password hunter2-xyz rejected (hunter2-xyz)')).toBe('connect failed: password *** rejected (***)');
  });

  it(`ignores values shorter than ${MIN_SECRET_LENGTH} characters, and unset ones`, () => {
    registerSecrets(['abc', '', undefined, 'abcd']);
    expect(maskSecrets('abc abcd')).toBe('abc ***');
  });

  it('masks the URL-encoded, JSON-escaped and line-by-line spellings of a secret', () => {
    registerSecrets(['p@ss:w/rd"x', '-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----']);
    expect(maskSecrets('postgres://u:p%40ss%3Aw%2Frd%22x@h/db')).toBe('postgres://u:***@h/db');
    expect(maskSecretsInJsonLine(`${JSON.stringify({ msg: 'said p@ss:w/rd"x' })}\n`)).toBe('{"msg":"said ***"}\n');
    expect(maskSecrets('line: MIIBOgIBAAJBAK')).toBe('line: ***');
  });

  it('masks the longer of two secrets that overlap whole', () => {
    registerSecrets(['secret', 'secret-and-more']);
    expect(maskSecrets('a secret-and-more b secret')).toBe('a *** b ***');
  });

  it('masks inside the strings of a JSON line only, so numbers and structure survive', () => {
    registerSecrets(['s3cr3t-pw']);
    const line = `${JSON.stringify({ level: 30, time: 1764432123456, port: 5432, msg: 'auth with s3cr3t-pw failed' })}\n`;
    const masked = maskSecretsInJsonLine(line);
    expect(JSON.parse(masked)).toStrictEqual({ level: 30, time: 1764432123456, port: 5432, msg: 'auth with *** failed' });
  });

  it('does not register values made of digits only (ports, pids): figures would be garbled', () => {
    registerSecrets(['5432', ' 12345 ']);
    expect(maskSecrets('cannot connect to 127.0.0.1:5432 after 15432 ms (pid 12345)')).toBe('cannot connect to 127.0.0.1:5432 after 15432 ms (pid 12345)');
  });

  it('masks nothing before anything is registered, and nothing after the secrets are forgotten', () => {
    expect(maskSecrets('hunter2-xyz')).toBe('hunter2-xyz');
    registerSecrets(['hunter2-xyz']);
    forgetSecrets();
    expect(maskSecrets('hunter2-xyz')).toBe('hunter2-xyz');
  });
});
