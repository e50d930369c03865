/**
 * Adam on a flat Float32 parameter vector, in JS (Kingma and Ba; the bias-corrected form PyTorch and Keras use):
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Moments in Float64. Deterministic and the same on every backend.
 */
export class FlatAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly lr: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly eps: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** One update of `params` in place from the gradient `g`. */
  apply(params: Float32Array, g: ArrayLike<number>): void {
    const { m, v, beta1: b1, beta2: b2, eps } = this;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const step = this.lr / c1;
    const invC2 = 1 / c2;
    for (let i = 0; i < params.length; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + (1 - b1) * gi;
      const vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (step * mi) / (Math.sqrt(vi * invC2) + eps);
    }
  }
}
