/**
 * Free text a client gives (a note, who asked for a run and why): any Unicode but
 * control characters (tab and newline aside) and lone surrogates. A lone surrogate
 * is no UTF-8: DynamoDB refuses it (the emulators take it), and it would make a 500
 * of a client's mistake; a control character has no place in a log line.
 */
import { z } from 'zod';

// eslint-disable-next-line no-control-regex -- these are the characters refused
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it has a lone surrogate)';
  if (CONTROL.test(text)) return 'must not hold control characters (tab and newline are fine)';
  return undefined;
}

/** A string of at most `max` characters of plain text (see above). */
export function plainText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .superRefine((text, ctx) => {
      const problem = textProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
