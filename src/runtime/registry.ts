/**
 * The model registry of the runtime path: one VAE per baseline group (image or workload), versioned, so new pods
 * inherit their group's model and a restart keeps every model.
 *
 * `DirectoryModelRegistry` keeps one file per group and version, `<slug>.v<N>.model.json`, where the slug is the
 * group made file-safe plus a hash of the exact group (the group itself is stored inside the file). Writes are
 * atomic: a temporary file in the same folder, fsync, rename, then an fsync of the folder, so a crash leaves the old
 * version or the new one, never half a file. Every file carries a SHA-256 checksum of its content; on load, a file
 * that does not parse, fails its checksum or holds a malformed model is reported (`problems()`) and skipped, and the
 * newest good version of its group is used. Versions only grow: a new version never overwrites a file, good or bad.
 * The newest `keepVersions` good versions of a group are kept; older ones are deleted. Left-over temporary files
 * (a crash mid-write) are deleted on load.
 *
 * `MemoryModelRegistry` has the same contract without files (tests, one-shot replays).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PeregrineError } from '../core/errors.js';
import { VaeDetector } from '../detectors/vae/index.js';
import { FEATURE_COUNT, SCHEMA_ID } from '../features/summarizers/syscall/schema.js';

export const RUNTIME_MODEL_FORMAT = 'peregrine-runtime-model';
export const RUNTIME_MODEL_FORMAT_VERSION = 1;

/** What training a group's model recorded. */
export interface ModelMeta {
  /** Activity vectors the model was trained on. */
  vectors: number;
  /** Containers those vectors came from. */
  containers: number;
  /** Training wall time, seconds. */
  trainSeconds: number;
}

export interface StoredModel extends ModelMeta {
  group: string;
  /** 1, 2, ... per group. */
  version: number;
  createdAt: string;
  detector: VaeDetector;
  /** The file it was loaded from or written to (directory registry). */
  file?: string;
}

export interface RegistryProblem {
  file: string;
  reason: string;
}

export interface ModelRegistry {
  readonly kind: 'memory' | 'directory';
  /** Loads what is stored (idempotent; the directory registry scans its folder once). Returns the models. */
  load(): StoredModel[];
  /** Reads the store again (models written by another process, for hot swap) and returns the newest per group. */
  reload(): StoredModel[];
  /** The newest good model of a group. */
  get(group: string): StoredModel | undefined;
  /** Stores a newly trained model as the group's next version. */
  put(group: string, detector: VaeDetector, meta: ModelMeta): StoredModel;
  groups(): string[];
  /** Files skipped on load (corrupted, partial, malformed) and why. */
  problems(): RegistryProblem[];
}

export class MemoryModelRegistry implements ModelRegistry {
  readonly kind = 'memory' as const;
  private readonly models = new Map<string, StoredModel>();

  load(): StoredModel[] {
    return [...this.models.values()];
  }

  reload(): StoredModel[] {
    return this.load();
  }

  get(group: string): StoredModel | undefined {
    return this.models.get(group);
  }

  put(group: string, detector: VaeDetector, meta: ModelMeta): StoredModel {
    const version = (this.models.get(group)?.version ?? 0) + 1;
    const m: StoredModel = { group, version, createdAt: new Date().toISOString(), detector, ...meta };
    this.models.set(group, m);
    return m;
  }

  groups(): string[] {
    return [...this.models.keys()].sort();
  }

  problems(): RegistryProblem[] {
    return [];
  }
}

interface ModelFileBody {
  format: string;
  formatVersion: number;
  group: string;
  version: number;
  createdAt: string;
  featureSchema: string;
  features: number;
  vectors: number;
  containers: number;
  trainSeconds: number;
  detector: ReturnType<VaeDetector['toJSON']>;
}

const FILE_RE = /^(.+)\.v(\d+)\.model\.json$/;
const TMP_MARK = '.tmp-';

/** A file-safe, collision-free name for a group: readable prefix + 12 hex of its SHA-256. */
export function groupSlug(group: string): string {
  const readable = group.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'group';
  return `${readable}-${createHash('sha256').update(group).digest('hex').slice(0, 12)}`;
}

function checksum(body: ModelFileBody): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export interface DirectoryRegistryOptions {
  /** Good versions kept per group (older ones deleted after a new version is written). Default 3. */
  keepVersions?: number;
}

export class DirectoryModelRegistry implements ModelRegistry {
  readonly kind = 'directory' as const;
  private readonly models = new Map<string, StoredModel>();
  /** Highest version number seen per slug (good or not): new versions go above it. */
  private readonly maxVersion = new Map<string, number>();
  private readonly issues: RegistryProblem[] = [];
  private loaded = false;
  private readonly keep: number;

  constructor(
    readonly dir: string,
    options: DirectoryRegistryOptions = {},
  ) {
    this.keep = Math.max(1, options.keepVersions ?? 3);
  }

  load(): StoredModel[] {
    if (this.loaded) return [...this.models.values()];
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot create the model folder: ${(e as Error).message}`, { where: this.dir });
    }
    const bySlug = new Map<string, { version: number; file: string }[]>();
    for (const name of readdirSync(this.dir)) {
      if (name.includes(TMP_MARK)) {
        // a write interrupted before its rename: never a model
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          // already gone
        }
        continue;
      }
      const m = FILE_RE.exec(name);
      if (!m) continue;
      const version = Number(m[2]);
      const list = bySlug.get(m[1]) ?? [];
      list.push({ version, file: join(this.dir, name) });
      bySlug.set(m[1], list);
      this.maxVersion.set(m[1], Math.max(this.maxVersion.get(m[1]) ?? 0, version));
    }
    for (const [slug, list] of bySlug) {
      list.sort((a, b) => b.version - a.version);
      for (const { version, file } of list) {
        const r = readModelFile(file);
        if ('reason' in r) {
          this.issues.push({ file, reason: r.reason });
          continue;
        }
        if (r.version !== version || groupSlug(r.group) !== slug) {
          this.issues.push({ file, reason: `file name does not match its content (group "${r.group}", version ${r.version})` });
          continue;
        }
        this.models.set(r.group, { ...r, file });
        break;
      }
    }
    this.loaded = true;
    return [...this.models.values()];
  }

  reload(): StoredModel[] {
    this.loaded = false;
    this.models.clear();
    this.maxVersion.clear();
    this.issues.length = 0;
    return this.load();
  }

  get(group: string): StoredModel | undefined {
    if (!this.loaded) this.load();
    return this.models.get(group);
  }

  put(group: string, detector: VaeDetector, meta: ModelMeta): StoredModel {
    if (!this.loaded) this.load();
    const slug = groupSlug(group);
    const version = (this.maxVersion.get(slug) ?? 0) + 1;
    const createdAt = new Date().toISOString();
    const body: ModelFileBody = {
      format: RUNTIME_MODEL_FORMAT,
      formatVersion: RUNTIME_MODEL_FORMAT_VERSION,
      group,
      version,
      createdAt,
      featureSchema: SCHEMA_ID,
      features: FEATURE_COUNT,
      vectors: meta.vectors,
      containers: meta.containers,
      trainSeconds: meta.trainSeconds,
      detector: detector.toJSON(),
    };
    const file = join(this.dir, `${slug}.v${version}.model.json`);
    writeAtomic(file, JSON.stringify({ ...body, checksum: checksum(body) }) + '\n');
    this.maxVersion.set(slug, version);
    const stored: StoredModel = { group, version, createdAt, detector, ...meta, file };
    this.models.set(group, stored);
    this.prune(slug);
    return stored;
  }

  /** Deletes good versions beyond the newest `keep` (bad files stay for inspection). */
  private prune(slug: string): void {
    const versions: { version: number; file: string }[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = FILE_RE.exec(name);
      if (m && m[1] === slug) versions.push({ version: Number(m[2]), file: join(this.dir, name) });
    }
    versions.sort((a, b) => b.version - a.version);
    const bad = new Set(this.issues.map((p) => p.file));
    let good = 0;
    for (const v of versions) {
      if (bad.has(v.file)) continue;
      if (++good > this.keep) unlinkSync(v.file);
    }
  }

  groups(): string[] {
    if (!this.loaded) this.load();
    return [...this.models.keys()].sort();
  }

  problems(): RegistryProblem[] {
    return [...this.issues];
  }
}

/** Temporary file + fsync + rename + folder fsync. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean
    }
    throw new PeregrineError('PGN_ERR_IO', `cannot write the model file: ${(e as Error).message}`, { where: path });
  }
  try {
    const dfd = openSync(join(path, '..'), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some filesystems refuse to fsync a folder; the rename is still atomic
  }
}

/** Reads and checks one model file: the model, or why it is unusable. */
export function readModelFile(file: string): Omit<StoredModel, 'file'> | { reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { reason: `unreadable or partial: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null) return { reason: 'not a JSON object' };
  const { checksum: sum, ...body } = parsed as ModelFileBody & { checksum?: unknown };
  if (body.format !== RUNTIME_MODEL_FORMAT) return { reason: `not a ${RUNTIME_MODEL_FORMAT} file` };
  if (body.formatVersion !== RUNTIME_MODEL_FORMAT_VERSION) return { reason: `unsupported format version ${String(body.formatVersion)}` };
  if (sum !== checksum(body)) return { reason: 'checksum mismatch (corrupted or edited)' };
  if (body.featureSchema !== SCHEMA_ID || body.features !== FEATURE_COUNT) return { reason: `trained on ${String(body.featureSchema)}, not ${SCHEMA_ID}` };
  let detector: VaeDetector;
  try {
    detector = VaeDetector.fromJSON(body.detector);
  } catch (e) {
    return { reason: `malformed model: ${(e as Error).message}` };
  }
  return {
    group: body.group,
    version: body.version,
    createdAt: body.createdAt,
    vectors: body.vectors,
    containers: body.containers,
    trainSeconds: body.trainSeconds,
    detector,
  };
}
