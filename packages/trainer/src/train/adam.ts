import * as tf from '@tensorflow/tfjs-core';

/**
 * The kernel that does a whole step's update in one call, where a backend registers it (the
 * contract is in @xfer/native-kernels' keras_adam.ts).
 */
const KERAS_ADAM_KERNEL = 'XferKerasAdam';

/** tfjs-core does not export its NamedTensor type; it is what an optimizer's getWeights() holds. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

/**
 * Adam as Keras computes it (keras.optimizers.Adam, defaults β1 0.9, β2 0.999, ε 1e-7): the bias
 * corrections fold into the step size, α = lr·√(1−β2^t)/(1−β1^t), and ε is added to the
 * uncorrected √v. tfjs' own Adam adds ε to the bias-corrected √v̂ instead, which amounts to Keras'
 * ε divided by √(1−β2^t), 31.6x larger at the first step: there a gradient of 1e-6 moves its weight
 * by 0.9·lr in tfjs but 0.24·lr in Keras, and fine-tuning gradients are that small. The reference
 * test (test/reference/models.test.ts) checks one step of each phase against Keras.
 *
 * Its state is the step count and the moments m and v of each variable, in the order
 * `getWeights()` returns them: [iter, m..., v...], as tfjs' Adam and Keras' optimizer variables.
 */
export class KerasAdam extends tf.Optimizer {
  /** The name tfjs and Keras give Adam in serialized configs. */
  static get className(): string {
    return 'Adam';
  }

  private m: Array<{ originalName: string; variable: tf.Variable }> = [];
  private v: Array<{ originalName: string; variable: tf.Variable }> = [];

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    super();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    // Keras computes the step size in float32 from the step number t = iterations + 1.
    const t = this.iterations + 1;
    const f = Math.fround;
    const alpha = f((f(this.learningRate) * f(Math.sqrt(f(1 - f(f(this.beta2) ** t))))) / f(1 - f(f(this.beta1) ** t)));
    const slots = named.map(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      this.m[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      this.v[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      return { gradient, m: this.m[i]!.variable, v: this.v[i]!.variable, value };
    });
    const updates = slots.filter((s): s is typeof s & { gradient: tf.Tensor } => s.gradient != null);
    tf.tidy(() => {
      if (tf.getKernel(KERAS_ADAM_KERNEL, tf.getBackend()) && updates.every((s) => s.gradient.dtype === 'float32')) {
        this.applyInOneKernel(updates, alpha);
        return;
      }
      for (const { gradient, m, v, value } of updates) {
        m.assign(tf.add(m, tf.mul(tf.sub(gradient, m), 1 - this.beta1)));
        v.assign(tf.add(v, tf.mul(tf.sub(tf.square(gradient), v), 1 - this.beta2)));
        value.assign(tf.sub(value, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), this.epsilon))));
      }
    });
    this.incrementIterations();
  }

  /**
   * The same update through the backend's `XferKerasAdam` kernel (@xfer/native-kernels registers one
   * on cpu): every variable in one call, bit-identical to the ops above.
   */
  private applyInOneKernel(updates: Array<{ gradient: tf.Tensor; m: tf.Variable; v: tf.Variable; value: tf.Variable }>, alpha: number): void {
    const inputs: tf.NamedTensorMap = {};
    updates.forEach(({ gradient, m, v, value }, i) => Object.assign(inputs, { [`gradient${i}`]: gradient, [`m${i}`]: m, [`v${i}`]: v, [`value${i}`]: value }));
    const attrs = { count: updates.length, alpha, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    const outs = tf.engine().runKernel(KERAS_ADAM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const n = updates.length;
    updates.forEach(({ m, v, value }, i) => {
      m.assign(outs[i]!);
      v.assign(outs[n + i]!);
      value.assign(outs[2 * n + i]!);
    });
  }

  override dispose(): void {
    tf.dispose([...this.m, ...this.v].map((s) => s.variable));
    this.m = [];
    this.v = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...[...this.m, ...this.v].map((s) => ({ name: s.originalName, tensor: s.variable }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.extractIterations(weightValues);
    this.dispose();
    const half = moments.length / 2;
    const state = (w: NamedTensor) => ({ originalName: w.name, variable: w.tensor.variable(false) });
    this.m = moments.slice(0, half).map(state);
    this.v = moments.slice(half).map(state);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
