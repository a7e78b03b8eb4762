// Splitting an image into bands of rows. Pure: unit-tested in test/unit/band-plan.test.ts.

export interface Band {
  y0: number;
  /** Exclusive. */
  y1: number;
}

/**
 * Rows to compute: a view symmetric about the real axis (isMirrorSymmetric) makes row y and row
 * height-1-y exact mirrors, so only the top half (plus the middle row) is rendered; any other view
 * is rendered whole.
 */
export const rowsToRender = (height: number, symmetric = true): number => (symmetric ? Math.ceil(height / 2) : height);

/**
 * More bands than clusters, so a faster cluster takes more of them; at least one row each, sizes
 * differing by at most one row, and no band above `maxBandBytes` (one byte per pixel).
 */
export function planBands(rows: number, width: number, clusters: number, bandsPerCluster: number, maxBandBytes = 4 * 1024 * 1024): Band[] {
  if (rows <= 0) return [];
  const maxRowsPerBand = Math.max(1, Math.floor(maxBandBytes / width)); // one byte per pixel
  const bySize = Math.ceil(rows / maxRowsPerBand);
  const count = Math.min(rows, Math.max(1, clusters * bandsPerCluster, bySize));
  const bands: Band[] = [];
  for (let i = 0; i < count; i++) {
    const y0 = Math.floor((i * rows) / count);
    const y1 = Math.floor(((i + 1) * rows) / count);
    bands.push({ y0, y1 });
  }
  return bands;
}

/** Copy rendered top-half rows into their mirror rows at the bottom (one byte per pixel). */
export function mirrorRows(image: Uint8Array, width: number, height: number): void {
  const stride = width;
  for (let y = rowsToRender(height); y < height; y++) {
    const src = height - 1 - y;
    image.copyWithin(y * stride, src * stride, (src + 1) * stride);
  }
}
