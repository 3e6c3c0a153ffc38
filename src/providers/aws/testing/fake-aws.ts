import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { RDSClient } from '@aws-sdk/client-rds';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { FisClient } from '@aws-sdk/client-fis';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { handlers, type FakeState } from './fake-aws-services.js';
import { sdkError } from './sdk-error.js';

export { sdkError } from './sdk-error.js';

export type { FakeCluster, FakeDbInstance, FakeEc2Instance, FakeState } from './fake-aws-services.js';

/** One command the fake received. */
export interface FakeCall {
  service: string;
  /** The API operation, e.g. `PromoteReadReplica`. */
  operation: string;
  input: Record<string, any>;
  region: string;
  /** Whether the operation changes anything (anything but Describe/List/Get/Head). */
  mutating: boolean;
  /** What the fake answered: `ok`, or the error's name. */
  outcome: string;
}

export interface FakeAwsOptions {
  /** Share of calls (0..1) that fail with throttling or a 5xx before reaching the state (seeded). */
  failRate?: number;
  seed?: number;
}

const READ_ONLY = /^(Describe|List|Get|Head)/;

/** A seeded PRNG (mulberry32): the same seed fails the same calls. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stateful fake of the AWS services Lifeboat uses, behind the real SDK clients: the clients
 * are built and configured as in a run, aws-sdk-client-mock replaces only their `send`, so
 * Lifeboat's own retry layer and waiters are what run. Instances, clusters, records, buckets,
 * experiments and alarms change state one step per Describe/Get call, as AWS does: right after a
 * promote the replica still reads `available` with its source, then `modifying`, then available
 * without a source. Every command is recorded; calls can be denied or made to fail at a seeded rate.
 */
export class FakeAws {
  readonly calls: FakeCall[] = [];
  readonly state: FakeState;
  /** `service:Operation` → calls of it allowed before it answers AccessDenied (0: denied at once). */
  readonly deny = new Map<string, number>();
  private readonly stubs: AwsStub<any, any, any>[] = [];
  private readonly random: () => number;
  private readonly failRate: number;

  constructor(opts: FakeAwsOptions = {}) {
    this.failRate = opts.failRate ?? 0;
    this.random = prng(opts.seed ?? 1);
    this.state = {
      rds: new Map(),
      clusters: new Map(),
      snapshots: [],
      ec2: new Map(),
      images: new Map(),
      zones: new Set(),
      records: new Map(),
      changes: new Map(),
      buckets: new Map(),
      templates: new Map(),
      experiments: new Map(),
      alarms: new Map(),
      counter: 0,
      route53PendingPolls: 2,
      seen: [],
    };
    const services: Array<[string, any]> = [
      ['rds', RDSClient],
      ['ec2', EC2Client],
      ['s3', S3Client],
      ['route53', Route53Client],
      ['sts', STSClient],
      ['fis', FisClient],
      ['cloudwatch', CloudWatchClient],
    ];
    for (const [service, Client] of services) {
      const stub = mockClient(Client);
      const fake = this;
      (stub.send as any).callsFake(async function (this: { config: { region: () => Promise<string> } }, command: { constructor: { name: string }; input: Record<string, any> }) {
        const region = await this.config.region();
        return fake.handle(service, command.constructor.name.replace(/Command$/, ''), command.input ?? {}, region);
      });
      this.stubs.push(stub);
    }
  }

  private async handle(service: string, operation: string, input: Record<string, any>, region: string): Promise<unknown> {
    const call: FakeCall = { service, operation, input, region, mutating: !READ_ONLY.test(operation), outcome: 'ok' };
    this.calls.push(call);
    const key = `${service}:${operation}`;
    const allowed = this.deny.get(key);
    if (allowed !== undefined) {
      if (allowed <= 0) {
        call.outcome = 'AccessDenied';
        throw sdkError('AccessDenied', 403, `User: arn:aws:iam::123456789012:user/drill is not authorized to perform: ${key}`);
      }
      this.deny.set(key, allowed - 1);
    }
    if (this.failRate > 0 && this.random() < this.failRate) {
      const throttled = this.random() < 0.5;
      call.outcome = throttled ? 'ThrottlingException' : 'ServiceUnavailable';
      throw throttled ? sdkError('ThrottlingException', 400, 'Rate exceeded') : sdkError('ServiceUnavailable', 503, 'Service unavailable');
    }
    const handler = handlers[service]?.[operation];
    if (!handler) {
      call.outcome = 'NotImplemented';
      throw sdkError('NotImplemented', 501, `the fake does not implement ${key}`);
    }
    try {
      return await handler(this.state, input, region);
    } catch (err) {
      call.outcome = (err as Error).name;
      throw err;
    }
  }

  /** The mutating commands the fake received (what `plan` and `--dry-run` must never send). */
  mutatingCalls(): FakeCall[] {
    return this.calls.filter((c) => c.mutating);
  }

  /** Calls of one operation. */
  callsOf(operation: string): FakeCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  restore(): void {
    for (const s of this.stubs) s.restore();
  }
}
