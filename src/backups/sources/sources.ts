import type { CopyStream, SourceContext } from '../copy.js';
import type { BackupSource } from '../policy-schema.js';
import { describeEbs, ebsCopies } from './ebs-source.js';
import { describeLocal, localCopies } from './local-source.js';
import { describeRds, rdsCopies } from './rds-source.js';
import { describeS3, s3Copies } from './s3-source.js';
import { describeVault, vaultCopies } from './vault-source.js';

/** The copies a source holds, streamed. */
export function copiesOf(source: BackupSource, ctx: SourceContext): CopyStream {
  switch (source.type) {
    case 'local':
      return localCopies(source, ctx);
    case 'aws.s3':
      return s3Copies(source, ctx);
    case 'aws.ebs':
      return ebsCopies(source, ctx);
    case 'aws.rds':
      return rdsCopies(source, ctx);
    case 'aws.backup':
      return vaultCopies(source, ctx);
  }
}

/** What a source looks at and which calls it makes (for `backups explain`, which calls nothing). */
export function describeSource(source: BackupSource): string {
  switch (source.type) {
    case 'local':
      return describeLocal(source);
    case 'aws.s3':
      return describeS3(source);
    case 'aws.ebs':
      return describeEbs(source);
    case 'aws.rds':
      return describeRds(source);
    case 'aws.backup':
      return describeVault(source);
  }
}

/** A short name for a source in errors and reports: `sources[1] (aws.s3 s3://bucket/prefix)`. */
export function sourceLabel(source: BackupSource, index: number): string {
  const what =
    source.type === 'local'
      ? source.paths.join(', ')
      : source.type === 'aws.s3'
        ? `s3://${source.bucket}/${source.prefix}`
        : source.type === 'aws.ebs'
          ? (source.volumeId ?? JSON.stringify(source.tags))
          : source.type === 'aws.rds'
            ? (source.dbInstance ?? source.dbCluster!)
            : source.vaults.join(', ');
  return `sources[${index}] (${source.type} ${what})`;
}
