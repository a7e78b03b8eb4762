// Worker thread entry: one reference orbit (common/src/deep/reference-orbit.ts), computed off the
// LB's event loop (arbitrary-precision arithmetic takes up to seconds at the deepest views).
import { parentPort, workerData } from 'node:worker_threads';
import { referenceOrbit, type DeepView } from '@hscale/common';

const { view, escape } = workerData as { view: DeepView; escape: number };
const orbit = referenceOrbit(view, escape);
parentPort!.postMessage(orbit, [orbit.buffer as ArrayBuffer]);
