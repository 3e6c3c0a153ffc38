import { z } from 'zod';
import type { Provider } from '../types.js';
import { s3Heartbeat } from './s3-heartbeat.js';

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'expected an AWS region such as us-west-2' }).optional();

/**
 * AWS resource types, declared now so runbooks can name them; their actions and probes arrive
 * with the AWS provider.
 */
export const awsProvider: Provider = {
  name: 'aws',
  resourceTypes: [
    { type: 'aws.rds.instance', description: 'An RDS DB instance.', fields: z.object({ id: z.string().min(1), region }) },
    { type: 'aws.rds.cluster', description: 'An Aurora DB cluster.', fields: z.object({ id: z.string().min(1), region }) },
    { type: 'aws.ec2.instance', description: 'An EC2 instance.', fields: z.object({ id: z.string().regex(/^i-[0-9a-f]{8,17}$/, { message: 'expected an instance id such as i-0abc1234' }), region }) },
    { type: 'aws.s3.bucket', description: 'An S3 bucket.', fields: z.object({ bucket: z.string().min(3).max(63), region, endpoint: z.string().optional() }), heartbeat: s3Heartbeat },
  ],
  actions: [],
  probes: [],
};
