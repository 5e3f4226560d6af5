/** zod's issues as the API's field problems: a dotted path to the field, and what is wrong with it. */
import type { z } from 'zod';
import type { FieldProblem } from './errors.js';

export function zodProblems(error: z.ZodError, prefix: (string | number)[] = []): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(body)',
    message: issue.message,
  }));
}
