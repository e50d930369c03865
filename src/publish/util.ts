import type { z } from 'zod';
import { PeregrineError } from '../core/errors.js';

/** Validates component options; the error names the field (`sqlite.path`) as the detector factories do. */
export function parseOptions<T>(schema: z.ZodType<T>, input: unknown, component: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]).join(', ') : '';
  const field = issue?.path.length ? issue.path.join('.') : keys;
  throw new PeregrineError('PGN_ERR_BAD_PARAM', issue?.message ?? 'invalid option', {
    where: field ? `${component}.${field}` : component,
    hint: `see docs/publish.md for the ${component} options`,
  });
}

/** A one-line description of an unknown error. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return `${e.name}${code ? ` ${code}` : ''}: ${e.message}`.replace(/\s+/g, ' ').trim();
  }
  return String(e);
}
