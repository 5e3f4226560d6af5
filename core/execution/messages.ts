/** Queue messages read back: a bundle of first attempts or one occurrence, or undefined when the body is neither. */
import type { z } from 'zod';
import { bundleSchema, type Bundle } from './bundle.js';
import { occurrenceSchema, type Occurrence } from './occurrence.js';

/** The message body as `schema` reads it, or undefined when it is not JSON of that shape. */
function parseAs<T>(schema: z.ZodType<T>, body: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const parseOccurrence = (body: string): Occurrence | undefined => parseAs(occurrenceSchema, body);
export const parseBundle = (body: string): Bundle | undefined => parseAs(bundleSchema, body);
