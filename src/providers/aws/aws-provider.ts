import type { Provider } from '../types.js';
import { awsPreflight, awsPreflightPermissions } from './aws-preflight.js';
import { AwsSession, type AwsRunSettings } from './aws-session.js';
import { ec2Actions } from './ec2-actions.js';
import { ec2InstanceType } from './ec2-resources.js';
import { fisStartExperiment, stopExperiment } from './fis-actions.js';
import { rdsActions } from './rds-actions.js';
import { rdsClusterType, rdsInstanceType } from './rds-resources.js';
import { route53Actions } from './route53-actions.js';
import { route53RecordType } from './route53-resources.js';
import { s3Actions } from './s3-actions.js';
import { s3BucketType } from './s3-resources.js';
import { s3WriteProbe } from './s3-write-probe.js';
import { cloudwatchAlarmProbe, ec2StatusProbe, rdsStatusProbe } from './status-probes.js';
import { messageOf } from '../../errors.js';

/**
 * AWS: RDS, Aurora, EC2, S3, Route 53, FIS and CloudWatch through the SDK's standard credential
 * chain. Nothing here loads an SDK module until a run calls it (`validate` and `plan` load none).
 */
export const awsProvider: Provider = {
  name: 'aws',
  resourceTypes: [rdsInstanceType, rdsClusterType, ec2InstanceType, s3BucketType, route53RecordType],
  actions: [...rdsActions, ...ec2Actions, ...s3Actions, ...route53Actions, fisStartExperiment],
  probes: [rdsStatusProbe, ec2StatusProbe, s3WriteProbe, cloudwatchAlarmProbe],
  async open(ctx) {
    const session = new AwsSession((ctx.settings?.aws ?? {}) as AwsRunSettings);
    return {
      state: session,
      async close() {
        // A FIS experiment still running when the run ends (interrupted, failed) keeps injecting faults.
        for (const [id, region] of session.experiments) {
          await stopExperiment(session, region, id).catch((err: unknown) => ctx.log.error({ experiment: id, err: messageOf(err) }, 'could not stop the FIS experiment'));
        }
        session.close();
      },
    };
  },
  preflight: awsPreflight,
  preflightPermissions: awsPreflightPermissions,
};
