/**
 * Untrusted JSON at the HTTP edge: a nesting-depth bound checked on the text before parsing (so a deeply nested
 * body costs one linear scan, not a recursive parse), and a refusal of `__proto__` / `constructor` / `prototype`
 * keys anywhere in a record (prototype pollution happens when such keys are later merged into objects; refusing
 * them at the edge keeps every consumer safe, as fastify's secure-json-parse does with protoAction 'error').
 */

export class RecordProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Deepest `{`/`[` nesting in a JSON text (strings skipped); stops counting once past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** Cheap pre-check: only texts that could spell an unsafe key (directly or with \u escapes) get the full walk. */
const MAYBE_UNSAFE = /__proto__|constructor|prototype|\\u/;

export function mayHoldUnsafeKey(text: string): boolean {
  return MAYBE_UNSAFE.test(text);
}

/** Throws RecordProblem when any object key in `value` is unsafe. Iterative (depth is already bounded). */
export function assertSafeKeys(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    for (const k of Object.keys(v)) {
      if (UNSAFE.has(k)) throw new RecordProblem('PGN_ERR_UNSAFE_KEY', `the key "${k}" is not allowed`);
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
}

/** Checks a record's text: size, depth and (when it may hold one) unsafe keys. Returns the parsed value when it parsed. */
export function checkRecordText(text: string, maxDepth: number, maxBytes: number): unknown {
  if (text.length > maxBytes) throw new RecordProblem('PGN_ERR_FIELD_TOO_LONG', `record longer than ${maxBytes} bytes`);
  if (jsonDepth(text, maxDepth) > maxDepth) throw new RecordProblem('PGN_ERR_JSON_DEPTH', `JSON nested deeper than ${maxDepth} levels`);
  if (!mayHoldUnsafeKey(text)) return undefined;
  const v = parseJson(text);
  assertSafeKeys(v);
  return v;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RecordProblem('PGN_ERR_BAD_ROW', `invalid JSON: ${(e as Error).message}`);
  }
}

/** Parses a record safely: size, depth, then JSON, then keys. */
export function safeParse(text: string, maxDepth: number, maxBytes: number): unknown {
  const pre = checkRecordText(text, maxDepth, maxBytes);
  return pre !== undefined ? pre : parseJson(text);
}
