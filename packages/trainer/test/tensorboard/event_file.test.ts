import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { EventFileWriter } from '../../src/tensorboard/event_file.js';
import { maskedCrc32c, tfRecord } from '../../src/tensorboard/record.js';

/** Splits a TFRecord file back into its payloads, checking both CRCs of each record. */
function readRecords(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < file.length; ) {
    const length = Number(file.readBigUInt64LE(at));
    expect(file.readUInt32LE(at + 8)).toBe(maskedCrc32c(file.subarray(at, at + 8)));
    const data = file.subarray(at + 12, at + 12 + length);
    expect(file.readUInt32LE(at + 12 + length)).toBe(maskedCrc32c(data));
    out.push(data);
    at += 16 + length;
  }
  return out;
}

describe('TFRecord framing', () => {
  it('masks the CRC32C as TFRecord does', () => {
    // 0xE3069283 is CRC-32C's check value; 0xC78AB0E5 its masked form, as TensorBoard's
    // pywrap_tensorflow.masked_crc32c computes it.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(0xc78ab0e5);
  });

  it('frames length, masked length CRC, data and masked data CRC, little-endian', () => {
    const r = tfRecord(Buffer.from('abc'));
    expect(r.length).toBe(19);
    expect(r.readBigUInt64LE(0)).toBe(3n);
    expect(r.subarray(12, 15).toString()).toBe('abc');
    expect(readRecords(r).map(String)).toEqual(['abc']);
  });
});

/** TensorFlow's Event and Summary with their field numbers, apart from the writer's schema, so a wrong number in it shows up here. */
const Event = protobuf.Root.fromJSON({
  nested: {
    Event: { fields: { wall_time: { type: 'double', id: 1 }, step: { type: 'int64', id: 2 }, file_version: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 5 } } },
    Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
    Value: { fields: { tag: { type: 'string', id: 1 }, simple_value: { type: 'float', id: 2 }, image: { type: 'Image', id: 4 }, histo: { type: 'HistogramProto', id: 5 } } },
    HistogramProto: {
      fields: {
        min: { type: 'double', id: 1 }, max: { type: 'double', id: 2 }, num: { type: 'double', id: 3 }, sum: { type: 'double', id: 4 }, sum_squares: { type: 'double', id: 5 },
        bucket_limit: { rule: 'repeated', type: 'double', id: 6 }, bucket: { rule: 'repeated', type: 'double', id: 7 },
      },
    },
    Image: { fields: { height: { type: 'int32', id: 1 }, width: { type: 'int32', id: 2 }, colorspace: { type: 'int32', id: 3 }, encoded_image_string: { type: 'bytes', id: 4 } } },
  },
}).lookupType('Event');

async function readEvents(file: string): Promise<Record<string, any>[]> {
  return readRecords(await fs.readFile(file)).map((d) => Event.toObject(Event.decode(d), { longs: Number }));
}

describe('EventFileWriter', () => {
  it('writes the version record, then scalar events TensorFlow can parse', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-tb-'));
    const w = await EventFileWriter.create(dir);
    await w.scalars(3, { epoch_loss: 0.25 });
    await w.close();
    expect(path.basename(w.path)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname()}\\.${process.pid}\\.\\d+\\.v2$`));
    const events = await readEvents(w.path);
    expect(events[0]).toMatchObject({ file_version: 'brain.Event:2' });
    expect(events[1]).toMatchObject({ step: 3, summary: { value: [{ tag: 'epoch_loss', simple_value: 0.25 }] } });
    expect(Math.abs(events[1]!.wall_time - Date.now() / 1000)).toBeLessThan(60);
    await fs.rm(dir, { recursive: true });
  });

  it('writes image summaries with their size and the encoded bytes unchanged', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-tb-'));
    const w = await EventFileWriter.create(dir);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await w.images(0, { samples: { png, width: 5, height: 7, channels: 3 } });
    await w.close();
    const [, event] = await readEvents(w.path);
    const [value] = event!.summary.value;
    expect(value).toMatchObject({ tag: 'samples', image: { width: 5, height: 7, colorspace: 3 } });
    expect([...value.image.encoded_image_string]).toEqual([...png]);
    await fs.rm(dir, { recursive: true });
  });

  it('writes histograms with every field of TensorFlow\'s HistogramProto', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-tb-'));
    const w = await EventFileWriter.create(dir);
    const histo = { min: -1, max: 3, num: 4, sum: 4, sumSquares: 12, bucketLimit: [1, 3], bucket: [2, 2] };
    await w.histograms(2, { 'dense/kernel/histogram': histo });
    await w.close();
    const [, event] = await readEvents(w.path);
    expect(event).toMatchObject({ step: 2, summary: { value: [{ tag: 'dense/kernel/histogram', histo: { min: -1, max: 3, num: 4, sum: 4, sum_squares: 12, bucket_limit: [1, 3], bucket: [2, 2] } }] } });
    await fs.rm(dir, { recursive: true });
  });
});
