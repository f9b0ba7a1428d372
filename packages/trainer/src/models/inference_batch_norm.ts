import type * as tfl from '@tensorflow/tfjs-layers';

type Kwargs = Record<string, unknown>;

/**
 * Makes every BatchNormalization layer of `model` (nested models included) run in inference mode
 * whatever the caller asks: normalise with the moving mean and variance and never update them,
 * while gamma and beta stay trainable when the layer is.
 *
 * Keras gets this from `base_model(x, training=False)`. tfjs ignores that call-time flag once the
 * graph is built: under fit every layer, nested ones too, gets training=true, so a literal port
 * normalises with batch statistics and overwrites the pretrained moving statistics in both phases.
 */
export function batchNormInInferenceMode(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if ('layers' in layer) batchNormInInferenceMode(layer as unknown as tfl.LayersModel);
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as { call(inputs: unknown, kwargs: Kwargs): unknown; xferInference?: boolean };
    if (bn.xferInference) continue;
    const call = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    bn.xferInference = true;
  }
}
