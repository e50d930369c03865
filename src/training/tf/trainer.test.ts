import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TfCore from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng.js';
import { gaussian } from '../../detectors/testing.js';
import { AeSimdTrainable, AeTrainable, buildAeNet } from '../../detectors/autoencoder/network.js';
import { buildVaeNet, normals, VaeTrainable } from '../../detectors/vae/network.js';
import { dense, ParamLayout, type Activation } from './dense.js';
import { getTf, getTfFull, withBackend, type Tf } from './runtime.js';
import { classWeightsFor, splitRows, train, type StepInput, type TrainableModel, type TrainerOptions } from './trainer.js';
import { trainingCurveSvg } from './curves.js';

const tf = getTf();
getTfFull(); // gradient functions for the autodiff references
const base: TrainerOptions = {
  epochs: 5,
  batchSize: 32,
  learningRate: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  validationSplit: 0,
  patience: 0,
  minDelta: 0,
  restoreBestWeights: true,
  seed: 1,
};

function input(x: TfCore.Tensor2D, seed: number): StepInput {
  return { x, xData: x.dataSync() as Float32Array, labels: null, sampleWeights: null, indices: new Uint32Array(x.shape[0]), rng: new Rng(seed), training: true };
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / (scale || 1);
}

function forwardRef(t: Tf, layout: ParamLayout, p: TfCore.Tensor1D, layers: number[], x: TfCore.Tensor2D): TfCore.Tensor2D {
  const params = layout.unpack(t, p);
  let h = x;
  for (const li of layers) h = dense(t, h, params[li], layout.layers[li].activation);
  return h;
}

for (const act of ['relu', 'tanh', 'sigmoid'] as Activation[]) {
  test(`autoencoder hand-written gradient equals TF.js autodiff (${act})`, () => {
    const net = buildAeNet({ inputDim: 6, hidden: [5, 3], activation: act, bottleneckActivation: act === 'relu' ? 'linear' : act });
    withBackend('cpu', () => {
      const init = net.layout.init(3);
      const p = tf.variable(tf.tensor1d(init));
      const x = tf.tensor2d(gaussian(9, 6, 2).data, [9, 6]);
      const mine = tf.tidy(() => new AeTrainable(net, init).step(tf, input(x, 1)).flatGrad as Float32Array);
      const ref = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forwardRef(tf, net.layout, p, net.all, x), x))) as TfCore.Scalar, [p]);
        return grads[p.name].dataSync() as Float32Array;
      });
      assert.ok(maxRelDiff(mine, ref) < 1e-5, `max relative difference ${maxRelDiff(mine, ref)}`);
      p.dispose();
      x.dispose();
    });
  });
}

for (const act of ['relu', 'tanh', 'sigmoid', 'linear'] as Activation[]) {
  test(`SIMD-kernel autoencoder step: loss, row losses and gradient equal TF.js autodiff (${act})`, () => {
    // Odd widths and batch: every kernel tile shape (4 / 1 rows x 8 / 4 / 1 columns) and the strided A^T path run.
    const net = buildAeNet({ inputDim: 13, hidden: [9, 6, 3], activation: act, bottleneckActivation: act });
    withBackend('cpu', () => {
      const init = net.layout.init(4);
      const xm = gaussian(23, 13, 5);
      const model = new AeSimdTrainable(net, init.slice());
      const out = model.stepHost({ xData: xm.data, rows: 23, cols: 13, labels: null, sampleWeights: null, indices: new Uint32Array(23), rng: new Rng(1), training: true });
      const p = tf.variable(tf.tensor1d(init));
      const x = tf.tensor2d(xm.data, [23, 13]);
      const ref = tf.tidy(() => {
        const rows = tf.mean(tf.square(tf.sub(forwardRef(tf, net.layout, p, net.all, x), x)), 1);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forwardRef(tf, net.layout, p, net.all, x), x))) as TfCore.Scalar, [p]);
        return { loss: value.dataSync()[0], rows: rows.dataSync() as Float32Array, grad: grads[p.name].dataSync() as Float32Array };
      });
      p.dispose();
      x.dispose();
      const g = out.flatGrad as Float32Array;
      assert.ok(maxRelDiff(g, ref.grad) < 1e-5, `gradient: max relative difference ${maxRelDiff(g, ref.grad)}`);
      assert.ok(Math.abs(out.loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `loss ${out.loss} vs ${ref.loss}`);
      assert.ok(maxRelDiff(Float32Array.from(out.rowLoss as ArrayLike<number>), ref.rows) < 1e-5, 'row losses');
    });
  });
}

test('SIMD-kernel and TF.js autoencoders train to the same weights (within float rounding) from the same seed', () => {
  const net = buildAeNet({ inputDim: 10, hidden: [8, 4], activation: 'relu', bottleneckActivation: 'linear' });
  const x = gaussian(300, 10, 8);
  const data = { x: x.data, rows: x.rows, cols: x.cols };
  const a = net.layout.init(2);
  const b = a.slice();
  withBackend('cpu', () => {
    train(tf, new AeTrainable(net, a), data, { ...base, epochs: 3 });
    train(tf, new AeSimdTrainable(net, b), data, { ...base, epochs: 3 });
  });
  assert.ok(maxRelDiff(b, a) < 1e-3, `max relative difference ${maxRelDiff(b, a)}`);
});

test('VAE hand-written gradient (reparameterisation + KL) equals TF.js autodiff', () => {
  const net = buildVaeNet(5, [4, 4], 3, 'relu');
  const klWeight = 0.7;
  withBackend('cpu', () => {
    const init = net.layout.init(5);
    const p = tf.variable(tf.tensor1d(init));
    const x = tf.tensor2d(gaussian(7, 5, 4).data, [7, 5]);
    const mine = tf.tidy(() => new VaeTrainable(net, init, klWeight).step(tf, input(x, 9)).flatGrad as Float32Array);
    const ref = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const params = net.layout.unpack(tf, p);
        let h: TfCore.Tensor2D = x;
        for (const li of net.encoder) h = dense(tf, h, params[li], 'relu');
        const stats = dense(tf, h, params[net.head], 'linear');
        const mu = tf.slice(stats, [0, 0], [7, 3]);
        const logvar = tf.slice(stats, [0, 3], [7, 3]);
        const e = tf.tensor2d(normals(new Rng(9), 7 * 3), [7, 3]);
        let z: TfCore.Tensor2D = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), e));
        for (const li of net.decoder) z = dense(tf, z, params[li], net.layout.layers[li].activation);
        const rec = tf.sum(tf.square(tf.sub(z, x)), 1);
        const kl = tf.mul(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1)), 1), 0.5);
        return tf.mean(tf.add(rec, tf.mul(kl, klWeight))) as TfCore.Scalar;
      }, [p]);
      return grads[p.name].dataSync() as Float32Array;
    });
    assert.ok(maxRelDiff(mine, ref) < 1e-5, `max relative difference ${maxRelDiff(mine, ref)}`);
    p.dispose();
    x.dispose();
  });
});

/** Linear regression y = x.w as a tiny autodiff model: exercises the trainer's generic path. */
class LinReg implements TrainableModel {
  readonly autodiff = true;
  readonly variables: TfCore.Variable[];
  constructor(cols: number) {
    this.variables = [tf.tidy(() => tf.variable(tf.zeros([cols, 1])))];
  }
  step(t: Tf, inp: StepInput) {
    const target = t.sum(inp.x, 1, true);
    const err = t.square(t.sub(t.matMul(inp.x, this.variables[0]), target));
    const rowLoss = t.reshape(err, [-1]) as TfCore.Tensor1D;
    const loss = inp.sampleWeights ? t.div(t.sum(t.mul(rowLoss, inp.sampleWeights)), t.sum(inp.sampleWeights)) : t.mean(rowLoss);
    return { loss: loss as TfCore.Scalar, rowLoss };
  }
}

test('trainer: learns, records history, reports progress, leaves no tensor behind', () => {
  const x = gaussian(200, 4, 1);
  const before = tf.memory().numTensors;
  const model = new LinReg(4);
  const progress: number[] = [];
  const r = train(tf, model, { x: x.data, rows: x.rows, cols: x.cols }, { ...base, epochs: 20, validationSplit: 0.2, patience: 0, onProgress: (e, n) => progress.push(e / n) });
  assert.equal(r.history.loss.length, 20);
  assert.equal(r.history.valLoss.length, 20);
  assert.equal(r.trainRows + r.validationRows, 200);
  assert.equal(r.validationRows, 40);
  assert.ok(r.history.loss[19] < r.history.loss[0] / 10, `loss ${r.history.loss[0]} -> ${r.history.loss[19]}`);
  assert.deepEqual(progress, Array.from({ length: 20 }, (_, i) => (i + 1) / 20));
  model.variables[0].dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.match(trainingCurveSvg(r.history, { bestEpoch: r.bestEpoch }), /<svg[\s\S]*validation loss/);
});

test('trainer: early stopping restores the best validation epoch', () => {
  // Noise targets: after a few epochs the validation loss stops improving.
  const rng = new Rng(3);
  const x = gaussian(120, 3, 5);
  class Noisy extends LinReg {
    override step(t: Tf, inp: StepInput) {
      const target = t.tensor2d(normals(rng, inp.x.shape[0]), [inp.x.shape[0], 1]);
      const rowLoss = t.reshape(t.square(t.sub(t.matMul(inp.x, this.variables[0]), target)), [-1]) as TfCore.Tensor1D;
      return { loss: t.mean(rowLoss) as TfCore.Scalar, rowLoss };
    }
  }
  const model = new Noisy(3);
  const r = train(tf, model, { x: x.data, rows: x.rows, cols: x.cols }, { ...base, epochs: 200, learningRate: 0.05, validationSplit: 0.25, patience: 3 });
  assert.ok(r.stoppedEarly);
  assert.ok(r.epochsRun < 200);
  const best = Math.min(...r.history.valLoss);
  assert.equal(r.history.valLoss[r.bestEpoch - 1], best);
  assert.ok(r.bestEpoch <= r.epochsRun - 3);
  model.variables[0].dispose();
});

test('trainer: seeded split and shuffling: same seed, same weights; another seed, other weights', () => {
  const x = gaussian(100, 3, 2);
  const run = (seed: number) => {
    const m = new LinReg(3);
    train(tf, m, { x: x.data, rows: x.rows, cols: x.cols }, { ...base, validationSplit: 0.2, seed });
    const w = Array.from(m.variables[0].dataSync());
    m.variables[0].dispose();
    return w;
  };
  assert.deepEqual(run(4), run(4));
  assert.notDeepEqual(run(4), run(5));
  const a = splitRows(50, 0.2, new Rng(1));
  assert.equal(a.validation.length, 10);
  assert.deepEqual(splitRows(50, 0.2, new Rng(1)), a);
  assert.equal(splitRows(3, 0.1, new Rng(1)).validation.length, 0);
});

test('trainer: class weights reach the step as per-row sample weights', () => {
  const w = classWeightsFor(Int32Array.from([0, 0, 0, 1]), 2, 'balanced');
  assert.ok(Math.abs(w[0] - 4 / 6) < 1e-6 && w[1] === 2, `${w}`);
  assert.deepEqual(Array.from(classWeightsFor(Int32Array.from([0, 1]), 2, [1, 5])), [1, 5]);
  const seen: number[] = [];
  class Spy extends LinReg {
    override step(t: Tf, inp: StepInput) {
      seen.push(...(inp.sampleWeights?.dataSync() ?? []));
      return super.step(t, inp);
    }
  }
  const x = gaussian(8, 2, 1);
  const m = new Spy(2);
  train(tf, m, { x: x.data, rows: 8, cols: 2, labels: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1]) }, { ...base, epochs: 1, classWeights: 'balanced' });
  m.variables[0].dispose();
  assert.equal(seen.length, 8);
  assert.deepEqual([...new Set(seen.map((v) => v.toFixed(4)))].sort(), ['0.6667', '2.0000']);
});
