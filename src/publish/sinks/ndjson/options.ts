import { z } from 'zod';

export const ndjsonSchema = z.strictObject({
  /** Folder of the files (created when missing). */
  dir: z.string().min(1),
  /** File name prefix: the active file is PREFIX.ndjson, rotated ones PREFIX-YYYYMMDDTHHMMSSZ-N.ndjson[.gz]. */
  prefix: z.string().regex(/^[A-Za-z0-9._-]+$/).default('peregrine-forensics'),
  /** Rotate when the active file would grow past this size. */
  maxBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
  /** Rotate a non-empty active file older than this (0 = never by age). */
  maxAgeSeconds: z.number().min(0).default(3600),
  /** Gzip rotated files. */
  gzip: z.boolean().default(false),
  /** Rotated files kept (oldest deleted first, counted); 0 = keep all. */
  maxFiles: z.number().int().min(0).default(0),
});
export type NdjsonOptions = z.infer<typeof ndjsonSchema>;
