import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { fromRows } from '../../core/matrix.js';
import { PNG_SIGNATURE, crc32, encodeGrayPng, grayImage, toGray, toImages } from './index.js';

test('toImages lays each row row-major and tiles it when there are fewer values than pixels', () => {
  const x = fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const img = toImages(x, 4);
  assert.equal(img.length, 2 * 16);
  // Pixel p = y * 4 + x takes value p mod 3: row 0 reads 1 2 3 1 / 2 3 1 2 / 3 1 2 3 / 1 2 3 1.
  assert.deepEqual(Array.from(img.subarray(0, 16)), [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
  assert.deepEqual(Array.from(img.subarray(16, 20)), [4, 5, 6, 4]);
  assert.equal(img[16 + 15], 4);
});

test('toImages truncates rows with more values than pixels; default size is 32x32', () => {
  const row = Array.from({ length: 20 }, (_, i) => i);
  const img = toImages(fromRows([row]), 4);
  assert.deepEqual(Array.from(img), row.slice(0, 16));
  const big = toImages(fromRows([[7, 8]]));
  assert.equal(big.length, 1024);
  assert.equal(big[1023], 8);
  assert.equal(toImages(fromRows([[0.5]]), 2).every((v) => v === 0.5), true);
});

test('toGray clips z to [-3, 3] and maps it to 0..255', () => {
  assert.equal(toGray(-3), 0);
  assert.equal(toGray(-10), 0);
  assert.equal(toGray(3), 255);
  assert.equal(toGray(99), 255);
  assert.equal(toGray(0), 128);
  assert.equal(toGray(NaN), 0);
  const g = grayImage(Float32Array.from([-3, 3, 0, 1.5]), 0, 2, 2);
  assert.equal(g.width, 4);
  assert.deepEqual(Array.from(g.pixels), [0, 0, 255, 255, 0, 0, 255, 255, 128, 128, 191, 191, 128, 128, 191, 191]);
});

test('CRC-32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('the PNG encoder writes a valid grayscale PNG that decodes back to the pixels', () => {
  const w = 5;
  const h = 3;
  const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 17) % 256);
  const png = encodeGrayPng(w, h, pixels);
  assert.deepEqual(Uint8Array.from(png.subarray(0, 8)), PNG_SIGNATURE);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    assert.equal(png.readUInt32BE(o + 8 + len), crc32(png.subarray(o + 4, o + 8 + len)), `${type} CRC`);
    chunks.push({ type, data });
    o += 12 + len;
  }
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const ihdr = chunks[0].data;
  assert.equal(ihdr.readUInt32BE(0), w);
  assert.equal(ihdr.readUInt32BE(4), h);
  assert.deepEqual(Array.from(ihdr.subarray(8)), [8, 0, 0, 0, 0]);
  const raw = inflateSync(chunks[1].data);
  assert.equal(raw.length, h * (w + 1));
  const decoded: number[] = [];
  for (let y = 0; y < h; y++) {
    assert.equal(raw[y * (w + 1)], 0, 'filter type None');
    decoded.push(...raw.subarray(y * (w + 1) + 1, (y + 1) * (w + 1)));
  }
  assert.deepEqual(decoded, Array.from(pixels));
  assert.throws(() => encodeGrayPng(2, 2, new Uint8Array(3)), RangeError);
});
