import { describe, expect, it } from 'vitest';
import { redactText } from '../log.js';
import { describeStoreUrl, isPostgresStore, openPostgresStore } from './postgres-history-store.js';

describe('the PostgreSQL store URL', () => {
  it('is named without its password, in the user part or as a parameter', () => {
    expect(describeStoreUrl('postgres://app:s3cr%40t-pw@db.internal:5432/lifeboat')).toBe('postgres://app:***@db.internal:5432/lifeboat');
    expect(describeStoreUrl('postgresql://app@db/lifeboat?sslmode=require&password=param-secret')).toBe('postgresql://app@db/lifeboat?sslmode=require&password=***');
    expect(describeStoreUrl('not a url')).toBe('(not a URL)');
    expect(isPostgresStore('postgresql://db/x')).toBe(true);
    expect(isPostgresStore('sqlite:///tmp/x')).toBe(false);
  });

  it('registers its password as a secret before connecting, so no message can print it', async () => {
    const url = 'postgres://app:Unreachable-Store-Pw@127.0.0.1:1/lifeboat';
    expect(redactText('the password is Unreachable-Store-Pw')).toBe('the password is Unreachable-Store-Pw');
    await expect(openPostgresStore({ stateDir: '/nonexistent', store: url })).rejects.toThrow(
      /^cannot open the run history postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/lifeboat: /,
    );
    // Masked alone too, wherever a driver or a server might echo it.
    expect(redactText('the password is Unreachable-Store-Pw')).toBe('the password is ***');
  });
});
