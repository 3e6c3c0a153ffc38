import type { S3Client } from '@aws-sdk/client-s3';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { FisClient } from '@aws-sdk/client-fis';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { STSClient } from '@aws-sdk/client-sts';

/**
 * Where AWS calls go and as whom: the global `--profile`/`--region` (which override
 * `AWS_PROFILE`/`AWS_REGION`); a resource's own `region` and `endpoint` win for that resource.
 */
export interface AwsSettings {
  profile?: string;
  region?: string;
}

/** The AWS services Lifeboat talks to, and their client classes. */
export interface AwsServiceClients {
  s3: S3Client;
  ec2: EC2Client;
  rds: RDSClient;
  route53: Route53Client;
  fis: FisClient;
  cloudwatch: CloudWatchClient;
  backup: BackupClient;
  sts: STSClient;
}
export type AwsService = keyof AwsServiceClients;

/** Where one client points: its region (required by the SDK) and an optional endpoint (S3-compatible stores, emulators). */
export interface AwsTarget {
  region?: string;
  endpoint?: string;
}

/** Loads a service's SDK module only when it is first used (`validate` and `plan` load none). */
const loaders: { [S in AwsService]: () => Promise<new (config: Record<string, unknown>) => AwsServiceClients[S]> } = {
  s3: async () => (await import('@aws-sdk/client-s3')).S3Client,
  ec2: async () => (await import('@aws-sdk/client-ec2')).EC2Client,
  rds: async () => (await import('@aws-sdk/client-rds')).RDSClient,
  route53: async () => (await import('@aws-sdk/client-route-53')).Route53Client,
  fis: async () => (await import('@aws-sdk/client-fis')).FisClient as never,
  cloudwatch: async () => (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient,
  backup: async () => (await import('@aws-sdk/client-backup')).BackupClient,
  sts: async () => (await import('@aws-sdk/client-sts')).STSClient,
};

/** The region used when neither the resource, the flag nor the environment names one. */
export function effectiveRegion(target: AwsTarget, settings: AwsSettings): string | undefined {
  return target.region ?? settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

/**
 * One run's AWS clients, one per service, region and endpoint, created on first use and
 * destroyed with the run. The SDK's own retries are off (`maxAttempts: 1`): Lifeboat retries
 * each call itself (see `aws-call.ts`), so throttling, 5xx and timeouts are handled the same way
 * whatever the client, and tests that replace `send()` exercise the real retry layer.
 */
export class AwsClients {
  private readonly clients = new Map<string, unknown>();
  private credentials: unknown;

  constructor(private readonly settings: AwsSettings = {}) {}

  async get<S extends AwsService>(service: S, target: AwsTarget = {}): Promise<AwsServiceClients[S]> {
    const region = effectiveRegion(target, this.settings) ?? 'us-east-1';
    const key = `${service}|${region}|${target.endpoint ?? ''}`;
    const existing = this.clients.get(key);
    if (existing) return existing as AwsServiceClients[S];
    // Lifeboat pins its SDK versions; the SDK's notice about future releases needing Node 22 is
    // not the operator's concern mid-drill (the README says so), and it would land on stderr.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const Client = await loaders[service]();
    const config: Record<string, unknown> = { region, maxAttempts: 1, credentials: await this.credentialProvider() };
    if (target.endpoint) config.endpoint = target.endpoint;
    if (service === 's3') {
      // S3-compatible endpoints need path-style addressing; checksums only where S3 requires them
      // (streamed bodies are otherwise framed as aws-chunked, which some stores keep verbatim).
      if (target.endpoint) config.forcePathStyle = true;
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    const client = new Client(config);
    this.clients.set(key, client);
    return client;
  }

  /** The SDK's standard credential chain, with `--profile` taking precedence over `AWS_PROFILE`. */
  private async credentialProvider(): Promise<unknown> {
    if (this.credentials) return this.credentials;
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const profile = this.settings.profile ?? process.env.AWS_PROFILE;
    this.credentials = fromNodeProviderChain(profile ? { profile } : {});
    return this.credentials;
  }

  /** Closes every client's connections. */
  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy(): void }).destroy();
    this.clients.clear();
  }
}
