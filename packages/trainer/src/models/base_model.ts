import type * as tfl from '@tensorflow/tfjs-layers';
import { miniXception } from './mini_xception.js';
import { xception } from './xception.js';

/** The bases a run can train on. */
export type BaseName = 'xception' | 'mini-xception';

/** The named base, as Keras builds it (xception) or xfer's small demo base. */
export function baseModel(name: BaseName, o: { inputShape: [number, number, number]; seed?: number }): tfl.LayersModel {
  return name === 'xception' ? xception(o) : miniXception(o);
}
