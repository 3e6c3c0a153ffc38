import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProviderError, messageOf } from '../../errors.js';
import type { AwsClients } from '../aws/aws-clients.js';
import { awsCall } from '../aws/aws-call.js';

/** How a backup was taken, from its file name's extension. */
export type BackupMethod = 'dump' | 'basebackup';

export const BACKUP_EXTENSION: Record<BackupMethod, string> = { dump: 'dump', basebackup: 'tar.gz' };

/**
 * A backup's file name: `<UTC start, 20261129T201500123Z>_<run id>_<step id>.<dump|tar.gz>`. The
 * time sorts backups (the newest is restored); run and step make the name known in advance, so a
 * resumed run can tell whether the backup step in flight at the crash finished.
 */
const NAME = /^(\d{8}T\d{9}Z)_([A-Za-z0-9-]+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.(dump|tar\.gz)$/;

/** One backup of a set. */
export interface BackupEntry {
  /** File name within the set. */
  name: string;
  /** When the backup started (epoch ms), from its name. */
  takenAt: number;
  method: BackupMethod;
  runId: string;
  stepId: string;
  bytes?: number;
}

/** The file name of a backup taken at `at` by a step of a run. */
export function backupName(at: number, runId: string, stepId: string, method: BackupMethod): string {
  const stamp = new Date(at).toISOString().replace(/[-:.]/g, '');
  return `${stamp}_${runId}_${stepId}.${BACKUP_EXTENSION[method]}`;
}

/** Parses a backup's file name; undefined for anything else found at the location. */
export function parseBackupName(name: string, bytes?: number): BackupEntry | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, stamp, runId, stepId, ext] = m as unknown as [string, string, string, string, string];
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  const takenAt = Date.parse(iso);
  if (Number.isNaN(takenAt)) return undefined;
  return { name, takenAt, method: ext === 'dump' ? 'dump' : 'basebackup', runId, stepId, ...(bytes !== undefined ? { bytes } : {}) };
}

/** The newest backup of a list (by start time, then name), or undefined. */
export function newestBackup(entries: readonly BackupEntry[]): BackupEntry | undefined {
  return [...entries].sort((a, b) => b.takenAt - a.takenAt || b.name.localeCompare(a.name))[0];
}

/** A backup being written: the program writes `file`; `commit` makes it a backup of the set, `discard` drops it. */
export interface PendingBackup {
  file: string;
  commit(signal: AbortSignal): Promise<{ bytes: number }>;
  discard(): Promise<void>;
}

/** A backup made readable as a local file (downloaded if it lives elsewhere); `release` removes any copy. */
export interface FetchedBackup {
  file: string;
  release(): Promise<void>;
}

/** Where the backups of one set live: a local directory or an S3 prefix. */
export interface BackupStore {
  /** Where, for messages and outputs: `/var/backups/db/primary` or `s3://bucket/prefix/primary/`. */
  readonly location: string;
  /** Where one backup of the set is: a path or an `s3://` URL. */
  pathOf(name: string): string;
  /** Every backup of the set (files of other shapes are ignored). */
  list(signal: AbortSignal): Promise<BackupEntry[]>;
  begin(name: string): Promise<PendingBackup>;
  fetch(entry: BackupEntry, signal: AbortSignal): Promise<FetchedBackup>;
  remove(entry: BackupEntry, signal: AbortSignal): Promise<void>;
}

/** A directory of this machine, one subdirectory per set; a backup appears there only once complete (written aside, then renamed). */
export class LocalBackupStore implements BackupStore {
  readonly location: string;

  constructor(path: string, set: string) {
    this.location = join(resolve(path), set);
  }

  pathOf(name: string): string {
    return join(this.location, name);
  }

  async list(_signal?: AbortSignal): Promise<BackupEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.location);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ProviderError(`cannot list the backups in ${this.location}: ${messageOf(err)}`, { cause: err, retryable: false });
    }
    const out: BackupEntry[] = [];
    for (const name of names) {
      const parsed = parseBackupName(name);
      if (!parsed) continue;
      const size = await stat(join(this.location, name)).then((s) => s.size).catch(() => undefined);
      out.push(size !== undefined ? { ...parsed, bytes: size } : parsed);
    }
    return out;
  }

  async begin(name: string): Promise<PendingBackup> {
    await mkdir(this.location, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      throw new ProviderError(`cannot create the backup directory ${this.location}: ${messageOf(err)}`, { cause: err, retryable: false });
    });
    const final = join(this.location, name);
    const file = join(this.location, `.${name}.partial`);
    return {
      file,
      commit: async () => {
        await rename(file, final);
        return { bytes: (await stat(final)).size };
      },
      discard: () => rm(file, { force: true }),
    };
  }

  async fetch(entry: BackupEntry): Promise<FetchedBackup> {
    return { file: join(this.location, entry.name), release: async () => {} };
  }

  async remove(entry: BackupEntry): Promise<void> {
    await rm(join(this.location, entry.name), { force: true });
  }
}

/** Where an S3 set lives. */
export interface S3Location {
  bucket: string;
  region?: string;
  endpoint?: string;
  /** Key prefix ending in `/`, or empty. */
  prefix: string;
}

type S3Module = typeof import('@aws-sdk/client-s3');

/**
 * Objects under `<prefix><set>/` of a bucket, through the run's AWS clients and Lifeboat's retry
 * layer. A backup is written to a local temporary file first and uploaded whole (PutObject is
 * atomic: a half-uploaded backup is never listed).
 */
export class S3BackupStore implements BackupStore {
  readonly location: string;
  private readonly keyPrefix: string;

  constructor(
    private readonly where: S3Location,
    set: string,
    private readonly aws: AwsClients,
    private readonly what: string,
  ) {
    this.keyPrefix = `${where.prefix}${set}/`;
    this.location = `s3://${where.bucket}/${this.keyPrefix}`;
  }

  pathOf(name: string): string {
    return `${this.location}${name}`;
  }

  private async s3(): Promise<{ client: import('@aws-sdk/client-s3').S3Client; mod: S3Module }> {
    const target = { ...(this.where.region ? { region: this.where.region } : {}), ...(this.where.endpoint ? { endpoint: this.where.endpoint } : {}) };
    return { client: await this.aws.get('s3', target), mod: await import('@aws-sdk/client-s3') };
  }

  async list(signal: AbortSignal): Promise<BackupEntry[]> {
    const { client, mod } = await this.s3();
    const out: BackupEntry[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>(
        's3',
        client,
        new mod.ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: this.keyPrefix, ...(token ? { ContinuationToken: token } : {}) }),
        { what: `${this.what}: listing ${this.location}`, signal },
      );
      for (const o of page.Contents ?? []) {
        const parsed = o.Key ? parseBackupName(o.Key.slice(this.keyPrefix.length), o.Size) : undefined;
        if (parsed) out.push(parsed);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async begin(name: string): Promise<PendingBackup> {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-backup-'));
    const file = join(dir, name);
    return {
      file,
      commit: async (signal) => {
        try {
          const { client, mod } = await this.s3();
          const bytes = (await stat(file)).size;
          const input = { Bucket: this.where.bucket, Key: this.keyPrefix + name, ContentLength: bytes };
          // A stream is read once: each attempt of the retry layer sends a command with a fresh one.
          const freshBody = { send: (_: unknown, o?: { abortSignal?: AbortSignal }) => client.send(new mod.PutObjectCommand({ ...input, Body: createReadStream(file) }), o) };
          await awsCall('s3', freshBody, new mod.PutObjectCommand(input), { what: `${this.what}: uploading ${this.location}${name}`, signal });
          return { bytes };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      discard: () => rm(dir, { recursive: true, force: true }),
    };
  }

  async fetch(entry: BackupEntry, signal: AbortSignal): Promise<FetchedBackup> {
    const { client, mod } = await this.s3();
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-restore-'));
    const file = join(dir, entry.name);
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const got = await awsCall<import('@aws-sdk/client-s3').GetObjectCommandOutput>('s3', client, new mod.GetObjectCommand({ Bucket: this.where.bucket, Key: this.keyPrefix + entry.name }), {
        what: `${this.what}: downloading ${this.location}${entry.name}`,
        signal,
      });
      if (!got.Body) throw new ProviderError(`${this.what}: ${this.location}${entry.name} has no body`);
      await pipeline(got.Body as Readable, createWriteStream(file, { mode: 0o600 }), { signal });
      return { file, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  async remove(entry: BackupEntry, signal: AbortSignal): Promise<void> {
    const { client, mod } = await this.s3();
    await awsCall('s3', client, new mod.DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.keyPrefix + entry.name }), { what: `${this.what}: removing ${this.location}${entry.name}`, signal });
  }
}
