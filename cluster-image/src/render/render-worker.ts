// Worker thread entry: renders bands off the main thread, so that a long render never delays the
// slave's answers to health probes (a slow probe would look like a dead cluster to the LB). A band
// is a run of pieces (common/src/png-pieces.ts): rendered, then compressed here, on this cluster.
import { parentPort, workerData } from 'node:worker_threads';
import { isMirrorSymmetric, packPieces, pieceLayout, piecesOf, topPieceRows, type RenderParams } from '@hscale/common';
import { renderRows } from './kernel.js';
import { WasmKernel } from './wasm-kernel.js';

export interface RenderJob {
  params: RenderParams;
  /** Top pieces [p0, p1) of the image's layout. */
  p0: number;
  p1: number;
}

/** The WebAssembly kernel when the pool compiled one (render-pool.ts), else the TypeScript kernel: the same pixels. */
const module = (workerData as { kernel?: WebAssembly.Module } | null)?.kernel;
const wasm = module ? new WasmKernel(module) : null;
const render = (p: RenderParams, y0: number, y1: number) => (wasm ? wasm.renderRows(p, y0, y1) : renderRows(p, y0, y1));

/** The packed pieces (packPieces) of a band: its top pieces and, for a symmetric view, their mirrors. */
export function renderPieces({ params, p0, p1 }: RenderJob): Buffer {
  const layout = pieceLayout(params.width, params.height, isMirrorSymmetric(params));
  const [y0] = topPieceRows(layout, p0);
  const [, y1] = topPieceRows(layout, p1 - 1);
  return packPieces(piecesOf(layout, p0, p1, render(params, y0, y1)));
}

parentPort?.on('message', (job: RenderJob) => {
  const packed = renderPieces(job);
  parentPort!.postMessage(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
});
