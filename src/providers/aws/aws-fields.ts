import { z } from 'zod';

/** An AWS region; a resource's own region wins over `--region` and `AWS_REGION`. */
export const Region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'expected an AWS region such as us-west-2' })
  .optional()
  .describe('AWS region of the resource (wins over --region and AWS_REGION).');

/** An endpoint override: S3-compatible stores, emulators. */
export const Endpoint = z
  .string()
  .regex(/^(https?:\/\/\S+|\$\{\S+\})$/, { message: 'expected a URL such as http://127.0.0.1:9000' }).optional().describe('Endpoint override (S3-compatible stores, emulators).');

/** Fields every AWS resource has. */
export const awsCommon = { region: Region, endpoint: Endpoint };

/** The allow tag `key=value` split in two. */
export function parseTag(tag: string): { key: string; value: string } {
  const i = tag.indexOf('=');
  return { key: tag.slice(0, i), value: tag.slice(i + 1) };
}
