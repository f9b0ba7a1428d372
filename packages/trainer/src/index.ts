/** @xfer/trainer: datasets, models, weights and the training loop of xfer. */
export { BACKEND_ORDER, pickBackend, type BackendChoice, type BackendName } from './backend/pick_backend.js';
export * from './datasets/index.js';
export { decodeSplit, type DecodedSplit, type DecodeFailure } from './data/decoded_split.js';
export { batchNormInInferenceMode } from './models/inference_batch_norm.js';
export { miniXception, type MiniXceptionOptions } from './models/mini_xception.js';
export { parameterCounts, summary } from './models/summary.js';
export { xception, type XceptionOptions } from './models/xception.js';
export { transferModel, type TransferModelOptions } from './models/transfer_model.js';
export { loadModel, saveModel } from './weights/file_io.js';
export { imagenetXceptionWeights, weightsSearchDirs, XCEPTION_NOTOP } from './weights/imagenet.js';
export { assignKerasWeights, readKerasH5, writeKerasH5, type H5Layer } from './weights/keras_h5.js';
export type { BatchLogs, Callback, EpochLogs } from './train/callbacks.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { fit, trainableParams, type FitOptions } from './train/fit.js';
export type { AccuracyRule } from './train/metrics.js';
export { phasesFor, trainRecipe, type RunReporter, type TrainConfig, type TrainResult } from './train/recipe.js';
