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

describe('EventFileWriter', () => {
  it('writes the version record, then scalar events TensorFlow can parse', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-tb-'));
    const w = await EventFileWriter.create(dir);
    await w.scalars(3, { epoch_loss: 0.25 });
    await w.close();
    expect(path.basename(w.path)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname()}\\.${process.pid}\\.\\d+\\.v2$`));
    // Decoded with a schema of its own, so a wrong field number in the writer shows up here.
    const Event = protobuf.Root.fromJSON({
      nested: {
        Event: { fields: { wall_time: { type: 'double', id: 1 }, step: { type: 'int64', id: 2 }, file_version: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 5 } } },
        Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
        Value: { fields: { tag: { type: 'string', id: 1 }, simple_value: { type: 'float', id: 2 } } },
      },
    }).lookupType('Event');
    const events = readRecords(await fs.readFile(w.path)).map((d) => Event.toObject(Event.decode(d), { longs: Number }));
    expect(events[0]).toMatchObject({ file_version: 'brain.Event:2' });
    expect(events[1]).toMatchObject({ step: 3, summary: { value: [{ tag: 'epoch_loss', simple_value: 0.25 }] } });
    expect(Math.abs(events[1]!.wall_time - Date.now() / 1000)).toBeLessThan(60);
    await fs.rm(dir, { recursive: true });
  });
});
