import { crc32c } from '@node-rs/crc32';

/** TFRecord's CRC mask: a CRC of data that holds CRCs is then not itself a plain CRC. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/**
 * One TFRecord: uint64 length, masked CRC32C of the length, the data, masked CRC32C of the data,
 * all little-endian. Built whole so that it can be appended in one write.
 */
export function tfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.byteLength + 4);
  out.writeBigUInt64LE(BigInt(data.byteLength), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.byteLength);
  return out;
}
