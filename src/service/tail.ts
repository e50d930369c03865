/**
 * Line sources for the agent: a file read from its start (or from its end with `fromEnd`) and, with `follow`,
 * tailed as it grows (polling, so it works on every filesystem and survives truncation/rotation by reopening);
 * or stdin. Yields arrays of complete lines; a partial last line waits for its newline.
 */
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface TailOptions {
  follow?: boolean;
  fromEnd?: boolean;
  pollMs?: number;
  chunkBytes?: number;
  signal?: AbortSignal;
}

export async function* tailFile(path: string, o: TailOptions = {}): AsyncGenerator<string[]> {
  const poll = o.pollMs ?? 250;
  const chunk = o.chunkBytes ?? 1 << 20;
  let pos = o.fromEnd ? (await stat(path)).size : 0;
  let rest = '';
  const buf = Buffer.alloc(chunk);
  for (;;) {
    if (o.signal?.aborted) return;
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      size = -1;
    }
    if (size >= 0 && size < pos) {
      pos = 0; // truncated or rotated: start over
      rest = '';
    }
    if (size > pos) {
      const fh = await open(path, 'r');
      try {
        while (pos < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(chunk, size - pos), pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          const text = rest + buf.toString('utf8', 0, bytesRead);
          const lines = text.split('\n');
          rest = lines.pop() ?? '';
          if (lines.length > 0) yield lines;
        }
      } finally {
        await fh.close();
      }
    }
    if (!o.follow) {
      if (rest !== '') yield [rest];
      return;
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

export async function* stdinLines(input: NodeJS.ReadableStream = process.stdin, batch = 1024): AsyncGenerator<string[]> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let out: string[] = [];
  for await (const line of rl) {
    out.push(line);
    if (out.length >= batch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
