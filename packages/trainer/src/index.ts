/** @xfer/trainer: datasets, models, weights and the training loop of xfer. The public API, listed. */

// Backends
export { BACKEND_ORDER, pickBackend, type BackendChoice, type BackendName } from './backend/pick_backend.js';
export { PRECISIONS, setPrecision, type Precision } from './backend/precision.js';

// Data: every split of every phase through the native Loader
export { SplitLoader, type SplitBatch, type SplitLoaderOptions } from './data/split_loader.js';

// Datasets
export { fileSource, sourceName, type DatasetListing, type Example, type ExampleSource, type SkippedImage } from './datasets/example.js';
export { missingDataSource, openDataset, type DatasetKind, type OpenDatasetOptions, type OpenedDataset } from './datasets/open_dataset.js';
export { sliceSplit } from './datasets/split.js';
export { checkImages, DECODE_ERROR_CODES, quarantine, quarantineRefusal, type CheckImagesOptions, type ImageCheck, type MovedFile } from './datasets/check_images.js';
export { defaultSplits, FULL_SPLITS, RECIPE_SPLITS, type Splits } from './datasets/split_defaults.js';
export { readPetImages, type PetImagesListing } from './datasets/pet_images.js';
export { readPetImagesZip } from './datasets/pet_images_zip.js';
export { IMAGE_EXTENSIONS, readImageFolder, type ImageFolderOptions } from './datasets/image_folder.js';
export { CATS_VS_DOGS, datasetsDir, locateCatsVsDogs } from './datasets/cats_vs_dogs.js';
export { download, type DownloadOptions } from './datasets/download.js';
export { ensureDemoData, type DemoData } from './datasets/demo.js';
export { demoBrokenFiles, type DemoOptions } from './datasets/demo_set.js';

// Errors
export { DatasetError, Interrupted, SplitSpecError } from './errors.js';

// Models
export { batchNormInInferenceMode } from './models/inference_batch_norm.js';
export { miniXception, type MiniXceptionOptions } from './models/mini_xception.js';
export { parameterCounts, summary } from './models/summary.js';
export { XCEPTION_MIN_SIZE, xception, type XceptionOptions } from './models/xception.js';
export { transferModel, type TransferModelOptions } from './models/transfer_model.js';
export { runFrozenBaseNatively } from './models/native_frozen_base.js';
export { transferModelParams } from './models/parameter_count.js';

// Weights
export { loadModel, saveModel } from './weights/file_io.js';
export { imagenetXceptionWeights, weightsSearchDirs, XCEPTION_NOTOP } from './weights/imagenet.js';
export { assignKerasWeights, loadKerasWeights, readKerasWeights, type H5Layer, type KerasWeights, type WeightArray } from './weights/keras_weights.js';
export { writeKerasH5 } from './weights/keras_legacy_h5.js';
export { EXPORT_FORMATS, exportKerasH5, exportSavedModel, type ExportFormat, type ExportResult } from './weights/keras_export.js';

// Training
export type { BatchLogs, Callback, EpochLogs } from './train/callbacks.js';
export type { RunControl, RunReporter, TrainConfig, TrainResult } from './train/config.js';
export { KerasAdam } from './train/adam.js';
export { EarlyStopping, type EarlyStoppingOptions } from './train/early_stopping.js';
export { TensorBoardLogger, type TensorBoardOptions } from './tensorboard/callback.js';
export { EventFileWriter } from './tensorboard/event_file.js';
export { classScores, evaluate, type ClassScores, type Evaluation } from './train/evaluate.js';
export { classReportText, confusionText } from './train/evaluation_text.js';
export { fit, trainableParams, type FitOptions } from './train/fit.js';
export { fitFrozenOnFeatures, type FeatureCacheOptions } from './train/feature_cache.js';
export { balancedClassWeights, binaryObjective, Objective, type AccuracyRule } from './train/metrics.js';
export { checkClasses, classWeights, MAX_CLASSES } from './train/classes.js';
export { phasesFor } from './train/phases.js';
export { trainRecipe } from './train/recipe.js';
export { runSeeds, type RunSeeds } from './train/seeds.js';
export { readCheckpoint, restoreOptimizer, saveCheckpoint, type TrainingState } from './train/checkpoint.js';

// Predict and evaluate saved models
export { locateSavedModel, loadSavedModel, type Preprocessing, type SavedModel, type SavedModelLocation } from './predict/saved_model.js';
export { isPredictFailure, listImageFiles, PREDICT_EXTENSIONS, predictImages, probabilitiesFromLogits, type Prediction, type PredictOptions, type PredictResult } from './predict/predict.js';
export { evaluateSavedModel, type EvaluateSavedOptions, type SavedEvaluation } from './predict/evaluate_saved.js';

// Plots
export { renderImageGrid, type GridLayout, type GridTile, type RenderedGrid, type TilePlacement } from './plots/image_grid.js';
export { previewAugmentations, previewSamples, sidecarPath, writePreview, type PreviewSamples, type PreviewSamplesOptions, type PreviewSidecar, type PreviewTile } from './plots/preview.js';
export { curvesData, curvesSpec, readMetrics, renderCurves, renderVegaLitePng, type CurvePoint, type CurvesData, type MetricsRecord, type PhaseBoundary, type RenderedCurves } from './plots/curves.js';
