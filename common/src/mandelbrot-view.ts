// Which point of the complex plane each pixel shows, and which colour an escape count gets.
// Shared so that every cluster renders exactly the same pixels for the same row: this is what
// makes the assembled PNG byte-identical whatever the number of clusters.

export const DEFAULT_VIEW = { reMin: -2, reMax: 0.5, imMin: -1.2, imMax: 1.2 } as const;

export interface RenderParams {
  width: number;
  height: number;
  /** Iteration limit: a point still bounded after `escape` iterations counts as inside the set. */
  escape: number;
}

/** Height that keeps the default view's aspect ratio (2.4 / 2.5). */
export const defaultHeight = (width: number): number => Math.max(1, Math.round((width * 24) / 25));

/** Real part of pixel column x (pixel centres). */
export function columnRe(x: number, width: number): number {
  return DEFAULT_VIEW.reMin + ((x + 0.5) * (DEFAULT_VIEW.reMax - DEFAULT_VIEW.reMin)) / width;
}

/**
 * Imaginary part of pixel row y (row 0 at the top). Written as an odd integer times a half step
 * around a centre of 0, so row y and row height-1-y are exact negatives of each other in floating
 * point; the image is therefore exactly mirror-symmetric, which the renderer may exploit.
 */
export function rowIm(y: number, height: number): number {
  const halfStep = (DEFAULT_VIEW.imMax - DEFAULT_VIEW.imMin) / (2 * height);
  return (height - 1 - 2 * y) * halfStep;
}

// A fixed gradient (no randomness): 16 key colours, STEPS interpolation steps between neighbours,
// integer arithmetic only, so every machine computes the same table. Few steps, because most of
// the picture escapes within a handful of iterations: with many steps it would all be one colour.
const STEPS = 2;
const KEYS: readonly [number, number, number][] = [
  [66, 30, 15], [25, 7, 26], [9, 1, 47], [4, 4, 73], [0, 7, 100], [12, 44, 138], [24, 82, 177], [57, 125, 209],
  [134, 181, 229], [211, 236, 248], [241, 233, 191], [248, 201, 95], [255, 170, 0], [204, 128, 0], [153, 87, 0], [106, 52, 3],
];
export const PALETTE_SIZE = KEYS.length * STEPS;

/** PALETTE[i*3..i*3+2] = RGB of escape count i (mod PALETTE_SIZE). Points inside the set are black. */
export const PALETTE: Uint8Array = (() => {
  const table = new Uint8Array(PALETTE_SIZE * 3);
  for (let i = 0; i < PALETTE_SIZE; i++) {
    const key = Math.floor(i / STEPS);
    const a = KEYS[key]!;
    const b = KEYS[(key + 1) % KEYS.length]!;
    const t = i % STEPS;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.floor((a[c]! * (STEPS - t) + b[c]! * t) / STEPS);
  }
  return table;
})();

/**
 * Clusters send one byte per pixel: the palette index of its escape count, or INSIDE for points in
 * the set. The LB writes these indices straight into an indexed PNG (PNG_PALETTE).
 */
export const INSIDE = PALETTE_SIZE;

/** The PNG's palette: PALETTE's colours, then black for INSIDE. */
export const PNG_PALETTE: [number, number, number][] = [
  ...Array.from({ length: PALETTE_SIZE }, (_, i): [number, number, number] => [PALETTE[i * 3]!, PALETTE[i * 3 + 1]!, PALETTE[i * 3 + 2]!]),
  [0, 0, 0],
];

/** Hard limits of the contract; the LB's settings may lower them, never raise them. */
export const MANDELBROT_LIMITS = { maxDimension: 8192, maxEscape: 100_000 } as const;
