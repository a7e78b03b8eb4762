// One PNG from the clusters: the image's top pieces (common/src/png-pieces.ts) planned into bands,
// the bands rendered and compressed by the clusters (band-dispatcher.ts), the pieces put in order.
// The LB never holds the pixels, and encodes nothing: its work is a concatenation.
import {
  assemblePng, deepQuery, isMirrorSymmetric, mirrorPiece, pieceFits, pieceLayout, rowsPerPiece, unpackPieces, viewQuery,
  type Piece, type PieceLayout, type RenderParams,
} from '@hscale/common';
import type { OrbitCache } from './orbit-cache.js';
import type { ClusterView } from '../cluster-view.js';
import { dispatchBands, type DispatchOptions } from './band-dispatcher.js';
import { planBands, type Band } from './band-plan.js';

export interface RenderOptions extends DispatchOptions {
  bandsPerCluster: number;
  /** Where deep views' reference orbits come from (needed for a deep view). */
  orbits?: OrbitCache;
  /** The whole image as one band, on one cluster (map tiles). */
  oneBand?: boolean;
}

/** The pieces a band's answer must hold: its top pieces and, for a symmetric view, their mirrors. */
function expectedPieces(l: PieceLayout, b: Band): Set<number> {
  const want = new Set<number>();
  for (let k = b.first; k < b.end; k++) {
    want.add(k);
    if (l.symmetric) want.add(mirrorPiece(l, k).index);
  }
  return want;
}

/** A cluster's answer for band `b`: exactly the band's pieces, each fitting its place; else null. */
export function bandAnswer(l: PieceLayout, b: Band, body: Buffer): Piece[] | null {
  const got = unpackPieces(body);
  const want = expectedPieces(l, b);
  if (!got || got.length !== want.size || new Set(got.map((p) => p.index)).size !== want.size) return null;
  return got.every((p) => want.has(p.index) && pieceFits(l, p)) ? got : null;
}

export async function renderPng(view: ClusterView, params: RenderParams, opts: RenderOptions) {
  const layout = pieceLayout(params.width, params.height, isMirrorSymmetric(params));
  const clusters = view.table.list().filter((m) => m.healthy).length;
  const bands = opts.oneBand
    ? [{ first: 0, end: layout.top }]
    : planBands(layout.top, rowsPerPiece(params.width) * params.width, Math.max(1, clusters), opts.bandsPerCluster);
  const pieces: Piece[] = new Array(layout.total);
  const query = { width: String(params.width), height: String(params.height), escape: String(params.escape), ...viewQuery(params.view), ...(params.deep ? deepQuery(params.deep) : {}) };
  // A deep view's bands carry its reference orbit, computed once here for all of them.
  const body = params.deep ? await opts.orbits!.get(params.deep, params.escape) : undefined;
  const stats = await dispatchBands(
    view,
    bands,
    {
      ...(body ? { body } : {}),
      pathOf: (b) => `/render/pieces?${new URLSearchParams({ ...query, p0: String(b.first), p1: String(b.end) })}`,
      collect: (b, body) => {
        const got = bandAnswer(layout, b, body);
        for (const p of got ?? []) pieces[p.index] = p;
        return got !== null;
      },
    },
    opts,
  );
  return { png: assemblePng(params.width, params.height, pieces), bands: bands.length, clusters, ...stats };
}
