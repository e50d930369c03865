import { z } from 'zod';

export const sqliteSchema = z.strictObject({
  /** The database file (created with its folder when missing). */
  path: z.string().min(1),
  /** How long a write waits for a lock held by a reader or another writer. */
  busyTimeoutMs: z.number().int().min(0).default(5000),
});
export type SqliteOptions = z.infer<typeof sqliteSchema>;
