import { z } from 'zod';
import type { ResourceTypeDef } from '../types.js';
import { awsCommon } from './aws-fields.js';

/** `aws.route53.record`: one record set of a hosted zone. */
export const route53RecordType: ResourceTypeDef = {
  type: 'aws.route53.record',
  description: 'A Route 53 record set (hosted zone, name, type).',
  fields: z.object({
    zoneId: z.string().min(1).describe('Hosted zone id, e.g. Z0123456789ABC.'),
    name: z.string().min(1).describe('Record name, e.g. db.example.com.'),
    recordType: z.enum(['A', 'AAAA', 'CNAME', 'TXT']).default('CNAME').describe('Record type.'),
    ...awsCommon,
  }),
};
