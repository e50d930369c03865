/**
 * Flow records as images (the few-shot report's recipe): each (z-scored) feature vector is laid into a size x size
 * single-channel image, row-major. Pixel p (0-based, row-major: p = y * size + x) takes feature p mod cols, so
 * - fewer values than pixels (the usual case: 20-120 features into 1,024 pixels): the vector is TILED, repeated from
 *   the start until the image is full (a 78-feature flow fills 13 full copies and the first 10 values of a 14th);
 * - more values than pixels: the vector is TRUNCATED, features past size^2 are dropped (a 4,096-feature input keeps
 *   its first 1,024 values in a 32 x 32 image; choose a larger `size` or reduce the features first).
 * No rescaling happens here: pixels are the z-scores themselves (the CNN's input). `toGray` maps them to 0..255 for
 * PNG export only.
 */
import type { Matrix } from '../../core/matrix.js';

/** The image side the few-shot report uses. */
export const IMAGE_SIZE = 32;

/** z-scores beyond +-GRAY_CLIP map to black / white in exported images. */
export const GRAY_CLIP = 3;

/** Writes row `row` of x as a size x size image into out[offset, offset + size^2). */
export function layRow(x: Matrix, row: number, out: Float32Array, offset: number, size = IMAGE_SIZE): void {
  const pixels = size * size;
  const { cols, data } = x;
  if (cols === 0) {
    out.fill(0, offset, offset + pixels);
    return;
  }
  const src = row * cols;
  for (let p = 0, j = 0; p < pixels; p++) {
    out[offset + p] = data[src + j];
    if (++j === cols) j = 0;
  }
}

/** Every row of x as a size x size x 1 image: n x size x size x 1 values (NHWC, the layout TF.js convolutions take). */
export function toImages(x: Matrix, size = IMAGE_SIZE): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`image size must be a positive integer, got ${size}`);
  const pixels = size * size;
  const out = new Float32Array(x.rows * pixels);
  for (let i = 0; i < x.rows; i++) layRow(x, i, out, i * pixels, size);
  return out;
}

/** Pixel intensity for export: clip z to [-3, 3], map linearly to 0..255 (0 -> 128), round; NaN -> 0. */
export function toGray(z: number): number {
  if (z !== z) return 0;
  const c = z < -GRAY_CLIP ? -GRAY_CLIP : z > GRAY_CLIP ? GRAY_CLIP : z;
  return Math.round(((c + GRAY_CLIP) / (2 * GRAY_CLIP)) * 255);
}

/** One image (size^2 values from `offset`) as 8-bit gray, upscaled `scale` times by nearest neighbour. */
export function grayImage(images: Float32Array, offset: number, size: number, scale = 1): { width: number; height: number; pixels: Uint8Array } {
  const w = size * scale;
  const pixels = new Uint8Array(w * w);
  for (let y = 0; y < w; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < w; x++) pixels[y * w + x] = toGray(images[offset + sy * size + Math.floor(x / scale)]);
  }
  return { width: w, height: w, pixels };
}
