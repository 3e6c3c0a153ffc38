import { z } from 'zod';
import { ObjectiveDuration } from '../util/duration.js';
import { Name } from '../runbook/fields.js';

/** What a copy is stored on; the `media` rule counts the distinct values. */
export const MEDIA = ['disk', 'object storage', 'archive storage', 'block snapshot', 'database snapshot', 'tape'] as const;
export type Medium = (typeof MEDIA)[number];

const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: 'expected an AWS region such as eu-west-1' });
const Regions = z.array(Region).min(1).describe('Regions to look in (cross-region copies live in the others).');
const Endpoint = z.url().optional().describe('An S3-compatible endpoint (tests, MinIO); path-style addressing is used.');

const localSource = z
  .strictObject({
    type: z.literal('local').describe('Files or directories on a local or mounted file system.'),
    paths: z.array(z.string().min(1)).min(1).describe('A file is one copy; a directory holds one copy per entry directly inside it.'),
    medium: z.enum(MEDIA).default('disk').describe('What the paths are stored on (a mounted tape library: tape).'),
    location: z.string().min(1).optional().describe('Where the paths are (a site name); default: the primary location (same place, not offsite).'),
    checksums: z
      .string()
      .min(1)
      .optional()
      .describe('A sha256sum file ("<hex>  <name>" per line, names relative to it): only files whose SHA-256 matches count as copies.'),
  })
  .describe('local: files or directories.');

const s3Source = z
  .strictObject({
    type: z.literal('aws.s3').describe('Object versions in an S3 bucket (and the buckets it replicates to).'),
    bucket: z.string().min(3).max(63),
    prefix: z.string().default('').describe('Only keys starting with this.'),
    region: Region.optional().describe('The bucket region (default: asked with GetBucketLocation).'),
    endpoint: Endpoint,
    replication: z.boolean().default(true).describe('Also list the destination buckets of the replication rules that cover the prefix.'),
  })
  .describe('aws.s3: every object version (delete markers are not copies); storage class gives the medium, the bucket region the location.');

const ebsSource = z
  .strictObject({
    type: z.literal('aws.ebs').describe('EBS snapshots.'),
    regions: Regions,
    volumeId: z.string().regex(/^vol-[0-9a-f]+$/, { message: 'expected a volume id such as vol-0123456789abcdef0' }).optional(),
    tags: z.record(z.string(), z.string()).optional().describe('Snapshots carrying all these tags.'),
  })
  .refine((s) => s.volumeId !== undefined || (s.tags !== undefined && Object.keys(s.tags).length > 0), {
    message: 'name the snapshots: volumeId or tags',
  })
  .describe('aws.ebs: completed snapshots of a volume or with tags; copies in other regions match by tag or by the source snapshot id in their description.');

const rdsSource = z
  .strictObject({
    type: z.literal('aws.rds').describe('RDS snapshots and automated backups.'),
    regions: Regions,
    dbInstance: z.string().min(1).optional().describe('DB instance identifier.'),
    dbCluster: z.string().min(1).optional().describe('Aurora DB cluster identifier.'),
    automatedBackups: z.boolean().default(true).describe('Count automated backups (retained and replicated ones included).'),
  })
  .refine((s) => (s.dbInstance === undefined) !== (s.dbCluster === undefined), { message: 'name exactly one of dbInstance or dbCluster' })
  .describe('aws.rds: manual and automated snapshots, cross-region copies, automated backups.');

const backupSource = z
  .strictObject({
    type: z.literal('aws.backup').describe('Recovery points in AWS Backup vaults.'),
    regions: Regions,
    vaults: z.array(z.string().min(2)).min(1).describe('Vault names, looked for in every listed region.'),
    resourceArn: z.string().startsWith('arn:').optional().describe('Only recovery points of this resource.'),
  })
  .describe('aws.backup: recovery points; a vault lock in compliance mode (past its grace time) makes them immutable.');

export const BackupSource = z.discriminatedUnion('type', [localSource, s3Source, ebsSource, rdsSource, backupSource]);
export type BackupSource = z.output<typeof BackupSource>;
export type LocalSource = z.output<typeof localSource>;
export type S3Source = z.output<typeof s3Source>;
export type EbsSource = z.output<typeof ebsSource>;
export type RdsSource = z.output<typeof rdsSource>;
export type VaultSource = z.output<typeof backupSource>;

/** The rules with their defaults (maxAge's default comes from the restore runbook's RPO, resolved at check time). */
export const BackupRules = z.strictObject({
  copies: z.int().min(1).default(3).describe('At least this many copies, the primary included.'),
  media: z.int().min(1).default(2).describe('On at least this many different media (the primary included).'),
  offsite: z.int().min(0).default(1).describe('At least this many copies in a location other than the primary.'),
  immutable: z.int().min(0).default(1).describe('At least this many copies nobody can delete or change before their retention ends.'),
  maxFailedRestores: z.int().min(0).default(0).describe('At most this many failed restore drills of restoreRunbook in the window.'),
  maxAge: ObjectiveDuration.optional().describe('The newest copy is younger than this (default: the RPO of restoreRunbook).'),
  minRetention: ObjectiveDuration.optional().describe('Copies are kept at least this long: the oldest copy is this old, or a copy is retained this long.'),
  restoreTestedWithin: ObjectiveDuration.optional().describe('The newest successful restore drill of restoreRunbook is younger than this.'),
  restoreRunbook: z.string().min(1).optional().describe('The runbook whose drills prove restores (a path, relative to the policy file).'),
});
export type BackupRules = z.output<typeof BackupRules>;

/** A `kind: BackupPolicy` file: one protected resource, its primary, its sources and its rules. */
export const BackupPolicySchema = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal('lifeboat/v1').describe('Always lifeboat/v1.'),
    kind: z.literal('BackupPolicy'),
    name: Name.describe('Policy name (metrics label, history).'),
    description: z.string().optional(),
    resource: Name.describe('The protected resource (metrics label).'),
    primary: z
      .strictObject({
        location: z.string().min(1).describe('Where the primary lives: a region or a site; copies elsewhere are offsite.'),
        medium: z.enum(MEDIA).default('disk').describe('What the primary is stored on (counts for the media rule).'),
      })
      .describe('The live data: it counts as one copy.'),
    sources: z.array(BackupSource).min(1).describe('Where copies are found.'),
    rules: BackupRules.default(BackupRules.parse({})).describe('3-2-1-1-0 rules and freshness.'),
  })
  .describe('A Lifeboat backup policy (3-2-1-1-0).');

export type BackupPolicy = z.output<typeof BackupPolicySchema>;

/** A policy with where it came from. */
export interface LoadedPolicy {
  file: string;
  /** The text it was parsed from (for positions of problems found later). */
  text?: string;
  policy: BackupPolicy;
}
