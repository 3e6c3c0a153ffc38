import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { ProviderError } from '../../errors.js';
import { awsCall, iamActionOf, isTransientAwsError } from './aws-call.js';

function sdkError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client'): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

const fast = { minDelayMs: 1, maxDelayMs: 2 };

describe('awsCall', () => {
  it('retries throttling and 5xx until the call succeeds', async () => {
    const rds = mockClient(RDSClient);
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(sdkError('ThrottlingException', 400))
      .rejectsOnce(sdkError('InternalFailure', 500))
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'db' }] });
    const retried: number[] = [];
    const out = await awsCall('rds', new RDSClient({ region: 'us-east-1' }), new DescribeDBInstancesCommand({}), {
      what: 'test',
      ...fast,
      onRetry: (_e, n) => retried.push(n),
    });
    expect(out.DBInstances[0].DBInstanceIdentifier).toBe('db');
    expect(retried).toEqual([1, 2]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(3);
    rds.restore();
  });

  it('ends at once on access denied, naming the action and the IAM permission', async () => {
    const rds = mockClient(RDSClient);
    rds.on(PromoteReadReplicaCommand).rejects(sdkError('AccessDenied', 403));
    const call = awsCall('rds', new RDSClient({ region: 'us-east-1' }), new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'r' }), {
      what: 'aws.rds.promote-replica on resource "replica"',
      ...fast,
    });
    await expect(call).rejects.toThrow(/aws.rds.promote-replica on resource "replica": access denied for rds:PromoteReadReplica/);
    await call.catch((e: unknown) => expect((e as ProviderError).retryable).toBe(false));
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
    rds.restore();
  });

  it('gives up after the set attempts on a persistent server fault, as a retryable error', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectVersionsCommand).rejects(sdkError('ServiceUnavailable', 503));
    const call = awsCall('s3', new S3Client({ region: 'us-east-1' }), new ListObjectVersionsCommand({ Bucket: 'b' }), { what: 'list', attempts: 3, ...fast });
    await expect(call).rejects.toThrow(/s3 ListObjectVersions failed after 3 attempts/);
    expect(s3.commandCalls(ListObjectVersionsCommand)).toHaveLength(3);
    s3.restore();
  });

  it('stops retrying when the signal aborts', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectVersionsCommand).rejects(sdkError('SlowDown', 503));
    const controller = new AbortController();
    const call = awsCall('s3', new S3Client({ region: 'us-east-1' }), new ListObjectVersionsCommand({ Bucket: 'b' }), {
      what: 'list',
      signal: controller.signal,
      attempts: 50,
      minDelayMs: 20,
      maxDelayMs: 20,
      onRetry: (_e, n) => n === 2 && controller.abort(new Error('interrupted')),
    });
    await expect(call).rejects.toThrow('interrupted');
    expect(s3.commandCalls(ListObjectVersionsCommand).length).toBeLessThanOrEqual(3);
    s3.restore();
  });
});

describe('classification', () => {
  it('names the IAM action of a command, with the S3 exceptions', () => {
    expect(iamActionOf('rds', 'FailoverDBClusterCommand')).toBe('rds:FailoverDBCluster');
    expect(iamActionOf('s3', 'ListObjectVersionsCommand')).toBe('s3:ListBucketVersions');
    expect(iamActionOf('s3', 'PutObjectCommand')).toBe('s3:PutObject');
  });

  it('treats network errors and 429 as transient, not-found as final', () => {
    expect(isTransientAwsError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientAwsError(sdkError('TooManyRequests', 429))).toBe(true);
    expect(isTransientAwsError(sdkError('DBInstanceNotFound', 404))).toBe(false);
  });
});
