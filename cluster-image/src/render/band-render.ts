// One band of an image, as a render thread computes it: its top pieces (common/src/png-pieces.ts)
// and, for a symmetric view, their mirrors, rendered and compressed here, on this cluster.
import { isDeep, isMirrorSymmetric, packPieces, pieceLayout, piecesOf, renderDeepRows, topPieceRows, type RenderParams } from '@hscale/common';
import { renderRows } from './kernel.js';
import type { WasmKernel } from './wasm-kernel.js';

export interface RenderJob {
  params: RenderParams;
  /** Top pieces [p0, p1) of the image's layout. */
  p0: number;
  p1: number;
  /** A deep view's reference orbit (common/src/deep/), as the LB sent it. */
  orbit?: Float64Array;
}

/**
 * The packed pieces (packPieces) of a band, by the WebAssembly kernel if there is one, else the
 * TypeScript kernel (the same pixels); a deep view by perturbation around its orbit, by either.
 */
export function renderPieces({ params, p0, p1, orbit }: RenderJob, wasm: WasmKernel | null): Buffer {
  const render = (p: RenderParams, y0: number, y1: number) => {
    if (isDeep(p)) return wasm ? wasm.renderDeepRows(p, orbit!, y0, y1) : renderDeepRows(p, orbit!, y0, y1);
    return wasm ? wasm.renderRows(p, y0, y1) : renderRows(p, y0, y1);
  };
  const layout = pieceLayout(params.width, params.height, isMirrorSymmetric(params));
  const [y0] = topPieceRows(layout, p0);
  const [, y1] = topPieceRows(layout, p1 - 1);
  return packPieces(piecesOf(layout, p0, p1, render(params, y0, y1)));
}
