import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { Histogram } from './histogram.js';
import { tfRecord } from './record.js';

/**
 * The part of TensorFlow's Event (tensorflow/core/util/event.proto) and Summary
 * (tensorflow/core/framework/summary.proto) that scalars, images and histograms need, with TensorFlow's field numbers.
 */
const PROTO = `
syntax = "proto3";
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Value {
    string tag = 1;
    oneof value {
      float simple_value = 2;
      Image image = 4;
      HistogramProto histo = 5;
    }
  }
  repeated Value value = 1;
}
message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6;
  repeated double bucket = 7;
}
`;
const Event = protobuf.parse(PROTO).root.lookupType('Event');

/** An encoded picture and its size, as an image summary holds it. */
export interface Picture {
  png: Uint8Array;
  width: number;
  height: number;
  /** 3 for RGB, 4 for RGBA: the summary's colorspace. */
  channels: number;
}

/** The first record of every event file; readers use it to tell the format's version. */
const FILE_VERSION = 'brain.Event:2';

/** Numbers event files as TensorFlow does: one count per process, across folders. */
let opened = 0;

/**
 * An event file that TensorBoard reads while it grows: each record is appended whole as it is
 * written, so a killed process leaves a file that loads up to its last record.
 */
export class EventFileWriter {
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /** A new file in `dir`, named as TensorFlow's tf.summary writer names its files. */
  static async create(dir: string): Promise<EventFileWriter> {
    await fs.mkdir(dir, { recursive: true });
    const name = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${os.hostname()}.${process.pid}.${opened++}.v2`;
    const file = path.join(dir, name);
    // 'ax': a file of another writer is never appended to.
    const writer = new EventFileWriter(file, await fs.open(file, 'ax'));
    await writer.write({ fileVersion: FILE_VERSION });
    return writer;
  }

  /** Scalars of one step, as simple_value summaries. */
  async scalars(step: number, values: Record<string, number>): Promise<void> {
    const value = Object.entries(values).map(([tag, simpleValue]) => ({ tag, simpleValue }));
    await this.write({ step, summary: { value } });
  }

  /** Pictures of one step, as the image summaries TensorBoard's Images tab shows. */
  async images(step: number, values: Record<string, Picture>): Promise<void> {
    const value = Object.entries(values).map(([tag, p]) => ({
      tag,
      image: { height: p.height, width: p.width, colorspace: p.channels, encodedImageString: p.png },
    }));
    await this.write({ step, summary: { value } });
  }

  /** Histograms of one step, as TensorBoard's Histograms and Distributions tabs show them. */
  async histograms(step: number, values: Record<string, Histogram>): Promise<void> {
    const value = Object.entries(values).map(([tag, histo]) => ({ tag, histo }));
    await this.write({ step, summary: { value } });
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async write(event: { step?: number; fileVersion?: string; summary?: object }): Promise<void> {
    const data = Event.encode(Event.fromObject({ wallTime: Date.now() / 1000, ...event })).finish();
    await this.file.appendFile(tfRecord(data));
  }
}
