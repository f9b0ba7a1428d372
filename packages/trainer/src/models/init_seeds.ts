import * as tfl from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/**
 * Seeds for a model's random initializers, one per initializer in construction order, so that a
 * seeded model starts from the same weights in every process (which a resumed run relies on to
 * match an uninterrupted one). Without a seed, every initializer is Keras' unseeded default.
 */
export class InitSeeds {
  private next: number | undefined;

  constructor(seed?: number) {
    this.next = seed;
  }

  /** Keras' default kernel initializer, glorot_uniform, with the next seed. */
  glorotUniform(): Initializer {
    const seed = this.next;
    if (this.next !== undefined) this.next++;
    return tfl.initializers.glorotUniform({ seed });
  }
}
