import { afterEach, describe, expect, it } from 'vitest';
import { providerSettings } from '../../cli/run-session.js';
import { AwsClients } from './aws-clients.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('where AWS calls go', () => {
  it('--region overrides AWS_REGION; a resource’s own region wins; clients retry nothing themselves', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const clients = new AwsClients({ region: 'eu-central-1' });
    const byFlag = await clients.get('rds');
    expect(await byFlag.config.region()).toBe('eu-central-1');
    const own = await clients.get('rds', { region: 'us-west-2' });
    expect(await own.config.region()).toBe('us-west-2');
    expect(await own.config.maxAttempts()).toBe(1);
    const env = await new AwsClients({}).get('ec2');
    expect(await env.config.region()).toBe('eu-west-1');
    clients.destroy();
  });

  it('an S3 endpoint gets path-style addressing', async () => {
    const s3 = await new AwsClients({ region: 'us-east-1' }).get('s3', { endpoint: 'http://127.0.0.1:9000' });
    expect(s3.config.forcePathStyle).toBe(true);
  });

  it('the command line’s --profile, --region and --allow-untagged reach the AWS provider’s settings', () => {
    expect(providerSettings({ allowUntagged: true }, { stateDir: 's', profile: 'drills', region: 'us-west-2' })).toEqual({ aws: { profile: 'drills', region: 'us-west-2', allowUntagged: true } });
    expect(providerSettings({}, { stateDir: 's' })).toEqual({ aws: {} });
  });
});
