import path from 'node:path';
import { JFIF_WINDOW_BYTES, petImagesListing, PET_IMAGES_NAME_RE, type PetImagesEntry, type PetImagesListing } from './pet_images.js';
import { zipEntryName } from './example.js';
import { ZipArchive } from './zip_archive.js';

/**
 * The TFDS cats_vs_dogs rules over the Microsoft archive itself (`kagglecatsanddogs_*.zip`), read
 * in place: only the first 512 decompressed bytes of each image are read here, and each entry's
 * byte range is found once, for the native loader to read it there.
 */
export async function readPetImagesZip(zipPath: string, onProgress?: (done: number, total: number) => void): Promise<PetImagesListing> {
  const abs = path.resolve(zipPath);
  const zip = await ZipArchive.open(abs);
  try {
    const entries: PetImagesEntry[] = [];
    const total = zip.entries.size;
    for (const name of zip.entries.keys()) {
      onProgress?.(entries.length, total);
      const where = zipEntryName(abs, name);
      if (!PET_IMAGES_NAME_RE.test(name)) {
        entries.push({ name, where, head: new Uint8Array(0) });
        continue;
      }
      try {
        const head = await zip.read(name, JFIF_WINDOW_BYTES);
        entries.push({ name, where, source: await zip.source(name), head });
      } catch (e) {
        entries.push({ name, where, head: new Uint8Array(0), readError: (e as Error).message });
      }
    }
    const listing = petImagesListing(entries);
    if (listing.examples.length + listing.skipped.length === 0) {
      throw new Error(`${abs}: no PetImages/Cat/<n>.jpg or PetImages/Dog/<n>.jpg entries in the archive`);
    }
    return listing;
  } finally {
    await zip.close();
  }
}
