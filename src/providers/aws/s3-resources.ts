import { z } from 'zod';
import type { ResourceTypeDef } from '../types.js';
import { awsCommon } from './aws-fields.js';
import { s3Heartbeat } from './s3-heartbeat.js';

/** `aws.s3.bucket`: a bucket on S3 or an S3-compatible store (`endpoint`). */
export const s3BucketType: ResourceTypeDef = {
  type: 'aws.s3.bucket',
  description: 'An S3 bucket (or a bucket of an S3-compatible store given by `endpoint`).',
  fields: z.object({ bucket: z.string().min(3).max(63).describe('Bucket name.'), prefix: z.string().optional().describe('Key prefix the actions and probes work under.'), ...awsCommon }),
  heartbeat: s3Heartbeat,
};
