import { awsCall } from '../../providers/aws/aws-call.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';
import type { Medium, VaultSource } from '../policy-schema.js';

/** The medium of a recovery point: by the kind of resource it holds; cold storage is archive storage. */
export function mediumOfRecoveryPoint(resourceType: string | undefined, storageClass: string | undefined): Medium {
  if (storageClass === 'COLD') return 'archive storage';
  switch (resourceType) {
    case 'EBS':
    case 'EC2':
      return 'block snapshot';
    case 'S3':
      return 'object storage';
    case 'EFS':
    case 'FSx':
    case 'Storage Gateway':
      return 'disk';
    default:
      return 'database snapshot';
  }
}

/** Whether a vault's lock makes its recovery points immutable at `at`, and why. */
export function vaultLock(vault: { Locked?: boolean; LockDate?: Date; MinRetentionDays?: number }, name: string, at: number): Pick<Copy, 'immutable' | 'immutability' | 'bypassableLock'> {
  if (!vault.Locked) return { immutable: false, immutability: `vault ${name} has no vault lock` };
  const lockDate = vault.LockDate ? new Date(vault.LockDate).getTime() : undefined;
  if (lockDate === undefined) return { immutable: false, bypassableLock: true, immutability: `vault ${name} lock in governance mode: can be removed (backup:DeleteBackupVaultLockConfiguration)` };
  if (lockDate > at) return { immutable: false, bypassableLock: true, immutability: `vault ${name} lock in compliance mode is still changeable until ${new Date(lockDate).toISOString()}` };
  return { immutable: true, immutability: `vault ${name} lock in compliance mode since ${new Date(lockDate).toISOString()}` };
}

/**
 * Completed recovery points in AWS Backup vaults, in every listed region (a vault that does not
 * exist in a region is noted, not an error), page by page (NextToken). A vault lock in compliance
 * mode past its grace time makes them immutable.
 */
export async function* vaultCopies(source: VaultSource, ctx: SourceContext): CopyStream {
  const sdk = await import('@aws-sdk/client-backup');
  for (const region of source.regions) {
    const backup = await ctx.aws.get('backup', { region });
    for (const name of source.vaults) {
      const what = `backups source aws.backup vault ${name} in ${region}`;
      let vault;
      try {
        vault = await awsCall('backup', backup, new sdk.DescribeBackupVaultCommand({ BackupVaultName: name }), { what, signal: ctx.signal });
      } catch (err) {
        if ((err as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException') {
          ctx.note(`vault ${name} does not exist in ${region}`);
          continue;
        }
        throw err;
      }
      const lock = vaultLock(vault, name, ctx.at);
      let token: string | undefined;
      do {
        const page = await awsCall(
          'backup',
          backup,
          new sdk.ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: name, ByResourceArn: source.resourceArn, NextToken: token, MaxResults: 1000 }),
          { what, signal: ctx.signal },
        );
        for (const p of page.RecoveryPoints ?? []) {
          if (p.Status !== 'COMPLETED' || !p.CreationDate) continue;
          const deleteAt = p.CalculatedLifecycle?.DeleteAt;
          yield {
            id: p.RecoveryPointArn ?? `${name}/${String(p.CreationDate)}`,
            medium: mediumOfRecoveryPoint(p.ResourceType, p.StorageClass),
            location: region,
            createdAt: new Date(p.CreationDate).getTime(),
            ...(deleteAt ? { retainUntil: new Date(deleteAt).getTime() } : {}),
            ...lock,
          };
        }
        token = page.NextToken;
      } while (token);
    }
  }
}

/** For `explain`. */
export function describeVault(source: VaultSource): string {
  return `aws.backup: completed recovery points${source.resourceArn ? ` of ${source.resourceArn}` : ''} in vaults ${source.vaults.join(', ')} in ${source.regions.join(', ')}; calls DescribeBackupVault, ListRecoveryPointsByBackupVault`;
}
