import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ManualClock } from '../../clock.js';
import { eventRecords, SAMPLE, tempDir } from '../../testing.js';
import { createSink } from '../index.js';
import type { NdjsonSink } from './ndjson.js';

/** The exact lines for the sample batch (golden payload; a summary leaves out contextIntervals 0 and droppedEvents 0). */
const GOLDEN = [
  '{"kind":"summary","id":"c1:1704189600000:s","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"score":12.5,"threshold":1.5,"unstable":true,"eventCount":2,"fullLog":true,"counts":{"execve":1,"connect":1},"latentMean":[0.5,-1],"latentVar":[0.25,2],"modelVersion":"vae-3"}',
  '{"kind":"event","id":"c1:1704189600000:0","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"offset":0,"timeNs":1704189601000000000,"reason":"unstable","line":"{\\"evt.type\\":\\"execve\\",\\"proc.name\\":\\"sh\\"}"}',
  '{"kind":"event","id":"c1:1704189600000:1","containerId":"c1","group":"nginx","intervalStart":1704189600000,"intervalEnd":1704189630000,"offset":1,"timeNs":1704189602500000000,"reason":"unstable","line":"{\\"evt.type\\":\\"connect\\",\\"fd.name\\":\\"10.0.0.5:4444\\"}"}',
].join('\n') + '\n';

describe('ndjson sink', () => {
  it('writes the golden lines, and toPayload is exactly what lands in the file', async () => {
    const t = tempDir();
    try {
      const sink = createSink('ndjson', { dir: t.dir }) as NdjsonSink;
      assert.equal(sink.toPayload(SAMPLE), GOLDEN);
      const res = await sink.send(SAMPLE);
      assert.deepEqual([res.status, res.delivered], ['delivered', 3]);
      await sink.close();
      assert.equal(readFileSync(join(t.dir, 'peregrine-forensics.ndjson'), 'utf8'), GOLDEN);
      assert.equal(sink.stats().bytesSent, Buffer.byteLength(GOLDEN));
    } finally {
      t.cleanup();
    }
  });

  it('rotates by size, gzips rotated files and keeps at most maxFiles of them', async () => {
    const t = tempDir();
    try {
      const clock = new ManualClock(Date.UTC(2024, 0, 2, 10, 0, 0));
      const sink = createSink('ndjson', { dir: t.dir, maxBytes: 4096, gzip: true, maxFiles: 2, maxAgeSeconds: 0 }, { clock }) as NdjsonSink;
      const recs = eventRecords(100);
      const written: string[] = [];
      for (let i = 0; i < 100; i += 5) {
        const batch = recs.slice(i, i + 5);
        assert.equal((await sink.send(batch)).status, 'delivered');
        written.push(sink.toPayload(batch));
        clock.advance(1000);
      }
      await sink.close();
      const files = sink.rotatedFiles();
      assert.equal(files.length, 2);
      assert.ok(files.every((f) => /peregrine-forensics-20240102T\d{6}Z-\d+\.ndjson\.gz$/.test(f)), files.join(', '));
      const st = sink.stats();
      assert.ok(st.rotations >= 3, `rotations ${st.rotations}`);
      assert.equal(st.filesDeleted, st.rotations - 2);
      // what is left (the last rotated files + the active one) is the tail of what was written, whole lines, in order
      const kept = files.map((f) => gunzipSync(readFileSync(f)).toString('utf8')).join('') + readFileSync(sink.activePath, 'utf8');
      assert.ok(written.join('').endsWith(kept), 'kept files are the newest lines in order');
      for (const f of [...files.map((f) => gunzipSync(readFileSync(f)).toString('utf8')), readFileSync(sink.activePath, 'utf8')]) {
        assert.ok(Buffer.byteLength(f) <= 4096, 'each file within maxBytes');
        assert.ok(f.endsWith('\n'));
      }
      assert.equal(readdirSync(t.dir).filter((n) => n.endsWith('.ndjson')).length, 1, 'only the active file is uncompressed');
    } finally {
      t.cleanup();
    }
  });

  it('rotates by age on the injected clock', async () => {
    const t = tempDir();
    try {
      const clock = new ManualClock(Date.UTC(2024, 0, 2, 10, 0, 0));
      const sink = createSink('ndjson', { dir: t.dir, maxAgeSeconds: 60 }, { clock }) as NdjsonSink;
      await sink.send(SAMPLE.slice(0, 1));
      clock.advance(59_000);
      await sink.send(SAMPLE.slice(1, 2));
      assert.equal(sink.rotatedFiles().length, 0);
      clock.advance(1_000);
      await sink.send(SAMPLE.slice(2));
      const rotated = sink.rotatedFiles();
      assert.deepEqual(rotated.map((f) => f.slice(t.dir.length + 1)), ['peregrine-forensics-20240102T100100Z-1.ndjson']);
      assert.equal(readFileSync(rotated[0], 'utf8'), GOLDEN.split('\n').slice(0, 2).join('\n') + '\n');
      assert.equal(readFileSync(sink.activePath, 'utf8'), GOLDEN.split('\n')[2] + '\n');
      await sink.close();
    } finally {
      t.cleanup();
    }
  });

  it('reports a write failure as retryable and an unwritable folder as unhealthy', async () => {
    const t = tempDir();
    try {
      const sink = createSink('ndjson', { dir: join(t.dir, 'file-not-dir', 'x') });
      // make the parent a file so the folder cannot be created
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(t.dir, 'file-not-dir'), 'x');
      const res = await sink.send(SAMPLE);
      assert.equal(res.status, 'retryable');
      assert.equal(res.retry.length, 3);
      assert.match(res.error ?? '', /ENOTDIR|EEXIST|cannot open/);
      assert.equal((await sink.healthcheck()).ok, false);
    } finally {
      t.cleanup();
    }
  });

  it('rejects bad options naming the field', () => {
    assert.throws(() => createSink('ndjson', { dir: '/tmp/x', maxBytes: 'big' }), (e: Error & { where?: string }) => e.where === 'ndjson.maxBytes');
    assert.throws(() => createSink('ndjson', { dir: '/tmp/x', colour: 1 }), (e: Error & { where?: string }) => e.where === 'ndjson.colour');
    assert.throws(() => createSink('kafka'), /unknown forensic sink "kafka"/);
  });
});
