/** Datasets: TFDS split strings, cats_vs_dogs read the TFDS way, and the generated demo set. */
export type { DatasetListing, Example, SkippedFile } from './example.js';
export {
  parseSplit,
  percentBoundary,
  resolveSplit,
  roundHalfEven,
  selectSplits,
  sliceSplit,
  SplitSpecError,
  type AbsoluteRange,
  type SliceUnit,
  type SplitBound,
  type SplitPart,
  type SplitSpec,
} from './split.js';
export {
  hasJfifMarker,
  JFIF_WINDOW_BYTES,
  jfifSkipReason,
  normalizeEntryName,
  PET_IMAGES_CLASS_NAMES,
  PET_IMAGES_NAME_RE,
  petImagesLabel,
  petImagesListing,
  readHead,
  readPetImages,
  TFDS_ORDER_SALT,
  tfdsOrderKey,
  type PetImagesEntry,
  type PetImagesListing,
  type ReadPetImagesOptions,
} from './pet_images.js';
export {
  DEMO_GENERATOR_VERSION,
  DEMO_MARKER_FILE,
  defaultDemoDir,
  demoBrokenFiles,
  DemoRng,
  ensureDemoData,
  findStartOfScan,
  insertJfifApp0,
  resolveDemoOptions,
  type DemoBrokenFile,
  type DemoBrokenKind,
  type DemoData,
  type DemoOptions,
  type ResolvedDemoOptions,
} from './demo.js';
export { CATS_VS_DOGS, catsVsDogsMissing, catsVsDogsSearchDirs, datasetsDir, locateCatsVsDogs } from './cats_vs_dogs.js';
export { download, type DownloadOptions } from './download.js';
export { IMAGE_EXTENSIONS, readImageFolder, type ImageFolderOptions } from './image_folder.js';
export { NumpyRandomState } from './numpy_random.js';
export { missingDataSource, openDataset, type DatasetKind, type OpenDatasetOptions, type OpenedDataset } from './open_dataset.js';
export { readPetImagesZip } from './pet_images_zip.js';
export { parseZipSource, ZipArchive, zipSource, type ZipLimits } from './zip_archive.js';
