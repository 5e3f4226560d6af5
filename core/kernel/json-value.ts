/**
 * A user's JSON value (a job's payload), checked but kept exactly as given.
 *
 * zod's z.json() rebuilds objects by assignment, so a `__proto__` key (which
 * JSON.parse keeps as an ordinary own property) is lost, and its value becomes the
 * rebuilt object's prototype. This schema checks the value in place and returns
 * it untouched: `__proto__` stays an own property end to end (JSON.stringify
 * writes it, JSON.parse and object spreads keep it), and no prototype is set from
 * user data anywhere. The check walks without recursion, so a deeply nested value
 * is refused with a message instead of overflowing the stack (JSON.stringify
 * itself recurses, and would).
 */
import { z } from 'zod';

export const MAX_JSON_DEPTH = 64;

/** Why `value` is not JSON we take, or undefined when it is. */
export function jsonProblem(value: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'must be JSON (numbers must be finite)';
      continue;
    }
    if (typeof v !== 'object') return 'must be JSON';
    const proto: unknown = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return 'must be JSON';
    if (depth >= MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const jsonValue = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}) as unknown as z.ZodType<JsonValue>;
