import type { AwsClients } from '../providers/aws/aws-clients.js';
import type { Medium } from './policy-schema.js';

/** One copy of the protected data, as a source found and classified it. */
export interface Copy {
  /** What identifies it where it lives: a path, `s3://bucket/key?versionId=…`, a snapshot id, a recovery point ARN. */
  id: string;
  medium: Medium;
  /** A region or a site; a copy whose location differs from the primary's is offsite. */
  location: string;
  immutable: boolean;
  /** Why it is or is not immutable (e.g. "Object Lock GOVERNANCE until …: can be bypassed"). */
  immutability: string;
  /** Whether a lock exists that a privileged user can bypass (S3 GOVERNANCE, a vault lock in governance mode). */
  bypassableLock?: boolean;
  /** Creation time (ms since the epoch); for a continuous backup, its newest restorable point. */
  createdAt: number;
  /** Until when it is kept, when the source knows (Object Lock retain-until, vault lifecycle, backup retention). */
  retainUntil?: number;
}

/** What a source may use while listing. */
export interface SourceContext {
  /** The run's AWS clients (every call goes through awsCall). */
  aws: Pick<AwsClients, 'get'>;
  signal?: AbortSignal;
  /** The check time (ms): a lock is in force if it ends after it. */
  at: number;
  /** The primary location (a local source without `location` is there). */
  primaryLocation: string;
  /** The directory of the policy file (relative local paths are resolved against it). */
  policyDir: string;
  /** How many immutable copies the rules want: S3 reads lock fields only until that many are found. */
  immutableWanted: number;
  /** Records a remark about the source for the report (a missing path, a bucket without Object Lock). */
  note(text: string): void;
}

/** Streams the copies one source holds, page by page: never the whole listing at once. */
export type CopyStream = AsyncGenerator<Copy, void, undefined>;

/** A short label for a source in messages: `aws.s3 s3://bucket/prefix`. */
export interface SourceLabel {
  label: string;
}
