// Splitting an image into bands: runs of its top pieces (common/src/png-pieces.ts), the unit a
// cluster renders and compresses. Pure: unit-tested in test/unit/mandelbrot.test.ts.

export interface Band {
  /** First piece. */
  first: number;
  /** Exclusive. */
  end: number;
}

/**
 * More bands than clusters, so a faster cluster takes more of them; at least one piece each,
 * sizes differing by at most one piece, and no band above `maxBandBytes` of pixels.
 */
export function planBands(pieces: number, bytesPerPiece: number, clusters: number, bandsPerCluster: number, maxBandBytes = 4 * 1024 * 1024): Band[] {
  if (pieces <= 0) return [];
  const maxPiecesPerBand = Math.max(1, Math.floor(maxBandBytes / bytesPerPiece));
  const bySize = Math.ceil(pieces / maxPiecesPerBand);
  const count = Math.min(pieces, Math.max(1, clusters * bandsPerCluster, bySize));
  const bands: Band[] = [];
  for (let i = 0; i < count; i++) bands.push({ first: Math.floor((i * pieces) / count), end: Math.floor(((i + 1) * pieces) / count) });
  return bands;
}
