import { sdkError } from './sdk-error.js';

/** An RDS instance of the fake; `next` holds the states it passes through, one per Describe. */
export interface FakeDbInstance {
  DBInstanceIdentifier: string;
  DBInstanceStatus: string;
  Engine: string;
  MultiAZ: boolean;
  AvailabilityZone: string;
  SecondaryAvailabilityZone?: string;
  ReadReplicaSourceDBInstanceIdentifier?: string;
  BackupRetentionPeriod: number;
  Endpoint?: { Address: string; Port: number };
  TagList: Array<{ Key: string; Value: string }>;
  next: Array<Partial<Omit<FakeDbInstance, 'next'>>>;
}

export interface FakeCluster {
  DBClusterIdentifier: string;
  Status: string;
  Engine: string;
  Endpoint: string;
  Port: number;
  DBClusterMembers: Array<{ DBInstanceIdentifier: string; IsClusterWriter: boolean }>;
  TagList: Array<{ Key: string; Value: string }>;
  next: Array<Partial<Omit<FakeCluster, 'next'>>>;
}

export interface FakeEc2Instance {
  InstanceId: string;
  State: { Name: string };
  Tags: Array<{ Key: string; Value: string }>;
  Placement: { AvailabilityZone: string };
  PrivateIpAddress: string;
  ClientToken?: string;
  next: string[];
}

export interface FakeState {
  rds: Map<string, FakeDbInstance>;
  clusters: Map<string, FakeCluster>;
  snapshots: Array<{ DBSnapshotIdentifier: string; DBInstanceIdentifier: string; Status: string; SnapshotCreateTime: Date }>;
  ec2: Map<string, FakeEc2Instance>;
  /** region → AMI ids there. */
  images: Map<string, Set<string>>;
  zones: Set<string>;
  /** `zone|name|type` → values. */
  records: Map<string, string[]>;
  /** change id → polls left before INSYNC. */
  changes: Map<string, number>;
  buckets: Map<string, Map<string, { body: Uint8Array; etag: string; lastModified: Date }>>;
  templates: Map<string, Record<string, string>>;
  experiments: Map<string, { status: string; next: string[]; templateId?: string; tags?: Record<string, string> }>;
  alarms: Map<string, string>;
  counter: number;
  /** How many GetChange polls a Route 53 change stays PENDING. */
  route53PendingPolls: number;
  /** When set, a reboot keeps the instance `rebooting` for this long (wall time) instead of one Describe. */
  rebootMs?: number;
  /** Every status a Describe of an instance returned, with its wall time (epoch ms, fractional): the truth of an outage. */
  seen: Array<{ t: number; id: string; status: string }>;
}

type Handler = (s: FakeState, input: Record<string, any>, region: string) => unknown;

/** Applies the next queued state, then returns the public view. */
function step<T extends { next: any[] }>(x: T): T {
  const n = x.next.shift();
  if (n !== undefined) Object.assign(x, typeof n === 'string' ? { State: { Name: n } } : n);
  return x;
}
const view = <T extends { next: unknown }>(x: T) => {
  const { next: _next, ...rest } = x;
  return structuredClone(rest);
};
const notFound = (name: string, what: string) => sdkError(name, 404, `${what} not found`);
const PAGE = 2;

function rdsInstance(s: FakeState, id: string): FakeDbInstance {
  const db = s.rds.get(id);
  if (!db) throw notFound('DBInstanceNotFoundFault', `DBInstance ${id}`);
  return db;
}
function cluster(s: FakeState, id: string): FakeCluster {
  const c = s.clusters.get(id);
  if (!c) throw notFound('DBClusterNotFoundFault', `DBCluster ${id}`);
  return c;
}
function restoreInto(s: FakeState, id: string, from: FakeDbInstance | undefined): void {
  if (s.rds.has(id)) throw sdkError('DBInstanceAlreadyExistsFault', 400, `DB instance ${id} already exists`);
  s.rds.set(id, {
    DBInstanceIdentifier: id,
    DBInstanceStatus: 'creating',
    Engine: from?.Engine ?? 'postgres',
    MultiAZ: false,
    AvailabilityZone: from?.AvailabilityZone ?? 'us-east-1a',
    BackupRetentionPeriod: 1,
    TagList: [],
    next: [{}, { DBInstanceStatus: 'backing-up' }, { DBInstanceStatus: 'available', Endpoint: { Address: `${id}.fake.rds.amazonaws.com`, Port: 5432 } }],
  });
}

function bucket(s: FakeState, name: string) {
  const b = s.buckets.get(name);
  if (!b) throw notFound('NoSuchBucket', `bucket ${name}`);
  return b;
}

function ec2Matches(i: FakeEc2Instance, input: Record<string, any>): boolean {
  if (input.InstanceIds && !input.InstanceIds.includes(i.InstanceId)) return false;
  for (const f of input.Filters ?? []) {
    if (f.Name.startsWith('tag:')) {
      const v = i.Tags.find((t) => t.Key === f.Name.slice(4))?.Value;
      if (!f.Values.includes(v)) return false;
    } else if (f.Name === 'instance-state-name' && !f.Values.includes(i.State.Name)) return false;
    else if (f.Name === 'client-token' && !f.Values.includes(i.ClientToken)) return false;
  }
  return true;
}

export const handlers: Record<string, Record<string, Handler>> = {
  sts: {
    GetCallerIdentity: () => ({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/drill', UserId: 'AIDAFAKE' }),
  },
  rds: {
    DescribeDBInstances: (s, i) => {
      const db = step(rdsInstance(s, i.DBInstanceIdentifier));
      const until = (db as { downUntil?: number }).downUntil;
      if (until !== undefined && db.next.length === 0 && Date.now() >= until) {
        const swap = (db as { downSwap?: boolean }).downSwap ? { AvailabilityZone: db.SecondaryAvailabilityZone, SecondaryAvailabilityZone: db.AvailabilityZone } : {};
        Object.assign(db, { DBInstanceStatus: 'available', ...swap, downUntil: undefined, downSwap: undefined });
      }
      s.seen.push({ t: performance.timeOrigin + performance.now(), id: db.DBInstanceIdentifier, status: db.DBInstanceStatus });
      const { downUntil: _d, downSwap: _s, ...shown } = view(db) as typeof db & { downUntil?: number; downSwap?: boolean };
      return { DBInstances: [shown] };
    },
    DescribeDBClusters: (s, i) => ({ DBClusters: [view(step(cluster(s, i.DBClusterIdentifier)))] }),
    PromoteReadReplica: (s, i) => {
      const db = rdsInstance(s, i.DBInstanceIdentifier);
      if (!db.ReadReplicaSourceDBInstanceIdentifier) throw sdkError('InvalidDBInstanceStateFault', 400, `${db.DBInstanceIdentifier} is not a read replica`);
      // As AWS: a second promote while one is under way is refused.
      const flagged = db as { promoting?: boolean };
      if (flagged.promoting) throw sdkError('InvalidDBInstanceStateFault', 400, `${db.DBInstanceIdentifier} is already being promoted`);
      flagged.promoting = true;
      // As AWS: still `available` with its source right after the call, then modifying, then
      // modifying without a source, and only then available.
      db.next.push({}, { DBInstanceStatus: 'modifying' }, { ReadReplicaSourceDBInstanceIdentifier: undefined }, { DBInstanceStatus: 'available' });
      return { DBInstance: view(db) };
    },
    RebootDBInstance: (s, i) => {
      const db = rdsInstance(s, i.DBInstanceIdentifier);
      if (i.ForceFailover && !db.MultiAZ) throw sdkError('InvalidParameterCombination', 400, 'ForceFailover needs a Multi-AZ instance');
      const swap = i.ForceFailover ? { AvailabilityZone: db.SecondaryAvailabilityZone!, SecondaryAvailabilityZone: db.AvailabilityZone } : {};
      if (s.rebootMs !== undefined) {
        db.next.push({}, { DBInstanceStatus: 'rebooting' });
        Object.assign(db, { downUntil: Date.now() + s.rebootMs, downSwap: !!i.ForceFailover });
      } else db.next.push({}, { DBInstanceStatus: 'rebooting' }, { DBInstanceStatus: 'available', ...swap });
      return { DBInstance: view(db) };
    },
    FailoverDBCluster: (s, i) => {
      const c = cluster(s, i.DBClusterIdentifier);
      const newWriter = i.TargetDBInstanceIdentifier ?? c.DBClusterMembers.find((m) => !m.IsClusterWriter)?.DBInstanceIdentifier;
      // The writer changes only after the cluster was seen failing over.
      c.next.push({}, { Status: 'failing-over' }, { Status: 'available', DBClusterMembers: c.DBClusterMembers.map((m) => ({ ...m, IsClusterWriter: m.DBInstanceIdentifier === newWriter })) });
      return { DBCluster: view(c) };
    },
    RestoreDBInstanceToPointInTime: (s, i) => {
      restoreInto(s, i.TargetDBInstanceIdentifier, rdsInstance(s, i.SourceDBInstanceIdentifier));
      return { DBInstance: view(s.rds.get(i.TargetDBInstanceIdentifier)!) };
    },
    RestoreDBInstanceFromDBSnapshot: (s, i) => {
      const snap = s.snapshots.find((x) => x.DBSnapshotIdentifier === i.DBSnapshotIdentifier);
      if (!snap) throw notFound('DBSnapshotNotFound', `snapshot ${i.DBSnapshotIdentifier}`);
      restoreInto(s, i.DBInstanceIdentifier, s.rds.get(snap.DBInstanceIdentifier));
      return { DBInstance: view(s.rds.get(i.DBInstanceIdentifier)!) };
    },
    DescribeDBSnapshots: (s, i) => {
      const all = s.snapshots.filter((x) => !i.DBInstanceIdentifier || x.DBInstanceIdentifier === i.DBInstanceIdentifier);
      const start = i.Marker ? Number(i.Marker) : 0;
      return { DBSnapshots: all.slice(start, start + PAGE), ...(start + PAGE < all.length ? { Marker: String(start + PAGE) } : {}) };
    },
  },
  ec2: {
    DescribeInstances: (s, i) => {
      const all = [...s.ec2.values()].filter((x) => ec2Matches(x, i));
      if (i.InstanceIds && all.length === 0) throw sdkError('InvalidInstanceID.NotFound', 400, `The instance IDs '${i.InstanceIds.join(', ')}' do not exist`);
      // One instance per page: callers must follow NextToken.
      const start = i.NextToken ? Number(i.NextToken) : 0;
      const page = all.slice(start, start + 1).map((x) => view(step(x)));
      return { Reservations: page.length ? [{ Instances: page }] : [], ...(start + 1 < all.length ? { NextToken: String(start + 1) } : {}) };
    },
    DescribeInstanceStatus: (s, i) => ({
      InstanceStatuses: (i.InstanceIds as string[]).map((id) => ({ InstanceId: id, InstanceStatus: { Status: 'ok' }, SystemStatus: { Status: 'ok' } })),
    }),
    StopInstances: (s, i) => {
      for (const id of i.InstanceIds) s.ec2.get(id)!.next.push('running', 'stopping', 'stopped');
      return { StoppingInstances: i.InstanceIds.map((id: string) => ({ InstanceId: id })) };
    },
    StartInstances: (s, i) => {
      for (const id of i.InstanceIds) s.ec2.get(id)!.next.push('pending', 'running');
      return { StartingInstances: i.InstanceIds.map((id: string) => ({ InstanceId: id })) };
    },
    RebootInstances: () => ({}),
    DescribeImages: (s, i, region) => ({ Images: (i.ImageIds as string[]).filter((id) => s.images.get(region)?.has(id)).map((ImageId) => ({ ImageId })) }),
    RunInstances: (s, i, region) => {
      if (!s.images.get(region)?.has(i.ImageId)) throw sdkError('InvalidAMIID.NotFound', 400, `The image id '[${i.ImageId}]' does not exist`);
      const existing = [...s.ec2.values()].find((x) => x.ClientToken === i.ClientToken);
      if (existing) return { Instances: [view(existing)] };
      const id = `i-0${(++s.counter).toString(16).padStart(16, '0')}`;
      const tags = (i.TagSpecifications?.[0]?.Tags ?? []) as Array<{ Key: string; Value: string }>;
      const inst: FakeEc2Instance = { InstanceId: id, State: { Name: 'pending' }, Tags: tags, Placement: { AvailabilityZone: `${region}b` }, PrivateIpAddress: `10.0.1.${s.counter}`, ClientToken: i.ClientToken, next: ['pending', 'running'] };
      s.ec2.set(id, inst);
      return { Instances: [view(inst)] };
    },
  },
  route53: {
    GetHostedZone: (s, i) => {
      if (!s.zones.has(i.Id)) throw notFound('NoSuchHostedZone', `hosted zone ${i.Id}`);
      return { HostedZone: { Id: i.Id } };
    },
    ChangeResourceRecordSets: (s, i) => {
      if (!s.zones.has(i.HostedZoneId)) throw notFound('NoSuchHostedZone', `hosted zone ${i.HostedZoneId}`);
      for (const c of i.ChangeBatch.Changes) s.records.set(`${i.HostedZoneId}|${c.ResourceRecordSet.Name}|${c.ResourceRecordSet.Type}`, c.ResourceRecordSet.ResourceRecords.map((r: any) => r.Value));
      const id = `/change/C${++s.counter}`;
      s.changes.set(id, s.route53PendingPolls);
      return { ChangeInfo: { Id: id, Status: 'PENDING' } };
    },
    GetChange: (s, i) => {
      const left = s.changes.get(i.Id);
      if (left === undefined) throw notFound('NoSuchChange', `change ${i.Id}`);
      s.changes.set(i.Id, left - 1);
      return { ChangeInfo: { Id: i.Id, Status: left > 0 ? 'PENDING' : 'INSYNC' } };
    },
    ListResourceRecordSets: (s, i) => {
      const values = s.records.get(`${i.HostedZoneId}|${i.StartRecordName}|${i.StartRecordType}`);
      return { ResourceRecordSets: values ? [{ Name: i.StartRecordName, Type: i.StartRecordType, ResourceRecords: values.map((Value) => ({ Value })) }] : [] };
    },
  },
  s3: {
    HeadBucket: (s, i) => (bucket(s, i.Bucket), {}),
    PutObject: (s, i) => {
      const body = typeof i.Body === 'string' ? new TextEncoder().encode(i.Body) : (i.Body as Uint8Array);
      const etag = `"${++s.counter}"`;
      bucket(s, i.Bucket).set(i.Key, { body, etag, lastModified: new Date() });
      return { ETag: etag };
    },
    GetObject: (s, i) => {
      const o = bucket(s, i.Bucket).get(i.Key);
      if (!o) throw notFound('NoSuchKey', `key ${i.Key}`);
      return { Body: { transformToByteArray: async () => o.body }, ETag: o.etag };
    },
    CopyObject: (s, i) => {
      const [b, ...k] = String(i.CopySource).split('/');
      const o = bucket(s, b!).get(decodeURIComponent(k.join('/')));
      if (!o) throw notFound('NoSuchKey', `key ${i.CopySource}`);
      bucket(s, i.Bucket).set(i.Key, { ...o, lastModified: new Date() });
      return { CopyObjectResult: { ETag: o.etag } };
    },
    ListObjectsV2: (s, i) => {
      const all = [...bucket(s, i.Bucket).entries()].filter(([k]) => k.startsWith(i.Prefix ?? '')).sort(([a], [b]) => a.localeCompare(b));
      const start = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
      // Small pages, so that callers must follow the continuation token.
      const size = Math.min(i.MaxKeys ?? 1000, 2);
      const page = all.slice(start, start + size);
      const more = start + size < all.length;
      return { Contents: page.map(([Key, o]) => ({ Key, ETag: o.etag, Size: o.body.length, LastModified: o.lastModified })), IsTruncated: more, ...(more ? { NextContinuationToken: String(start + size) } : {}) };
    },
  },
  fis: {
    GetExperimentTemplate: (s, i) => {
      const tags = s.templates.get(i.id);
      if (!tags) throw notFound('ResourceNotFoundException', `template ${i.id}`);
      return { experimentTemplate: { id: i.id, tags } };
    },
    StartExperiment: (s, i) => {
      if (!s.templates.has(i.experimentTemplateId)) throw notFound('ResourceNotFoundException', `template ${i.experimentTemplateId}`);
      const id = `EXP${++s.counter}`;
      s.experiments.set(id, { status: 'initiating', next: ['initiating', 'running'], templateId: i.experimentTemplateId, tags: i.tags });
      return { experiment: { id, state: { status: 'initiating' } } };
    },
    GetExperiment: (s, i) => {
      const e = s.experiments.get(i.id);
      if (!e) throw notFound('ResourceNotFoundException', `experiment ${i.id}`);
      const n = e.next.shift();
      if (n) e.status = n;
      return { experiment: { id: i.id, state: { status: e.status } } };
    },
    ListExperiments: (s, i) => {
      const all = [...s.experiments.entries()].filter(([, e]) => !i.experimentTemplateId || e.templateId === i.experimentTemplateId);
      const start = i.nextToken ? Number(i.nextToken) : 0;
      const page = all.slice(start, start + 1).map(([id, e]) => ({ id, experimentTemplateId: e.templateId, tags: e.tags, state: { status: e.status } }));
      return { experiments: page, ...(start + 1 < all.length ? { nextToken: String(start + 1) } : {}) };
    },
    StopExperiment: (s, i) => {
      const e = s.experiments.get(i.id);
      if (!e) throw notFound('ResourceNotFoundException', `experiment ${i.id}`);
      e.status = 'stopped';
      e.next = [];
      return { experiment: { id: i.id, state: { status: 'stopping' } } };
    },
  },
  cloudwatch: {
    DescribeAlarms: (s, i) => ({
      MetricAlarms: (i.AlarmNames as string[]).filter((n) => s.alarms.has(n)).map((AlarmName) => ({ AlarmName, StateValue: s.alarms.get(AlarmName), StateReason: 'fake' })),
    }),
  },
};
