// Which point of the complex plane each pixel shows, and which colour an escape count gets.
// Shared so that every cluster renders exactly the same pixels for the same row: this is what
// makes the assembled PNG byte-identical whatever the number of clusters.
import type { DeepView } from './deep/deep-view.js';

export const DEFAULT_VIEW = { reMin: -2, reMax: 0.5, imMin: -1.2, imMax: 1.2 } as const;

/** A view other than the default: its centre and the size of one pixel, in complex-plane units. */
export interface View {
  cx: number;
  cy: number;
  scale: number;
}

export interface RenderParams {
  width: number;
  height: number;
  /** Iteration limit: a point still bounded after `escape` iterations counts as inside the set. */
  escape: number;
  /** Absent: the default view (DEFAULT_VIEW stretched over width × height), bytes as ever. */
  view?: View;
  /** A view deeper than doubles resolve (deep/deep-view.ts): rendered by perturbation; `view` is then absent. */
  deep?: DeepView;
}

/**
 * The smallest pixel, relative to the largest coordinate it sits at, that double precision can
 * still tell from its neighbour with room to spare: 2^-44 is about 256 units in the last place of
 * a number near 2 (doubles carry 52 bits). Deeper, neighbouring pixels would compute the same
 * point and the picture would turn to blocks.
 */
export const MIN_RELATIVE_SCALE = 2 ** -44;

/** Tiles: the slippy-map square at zoom 0 covers re -2.25..0.75 and im -1.5..1.5, 256 px a side. */
export const TILE_SIZE = 256;
export const TILE_WORLD = { reMin: -2.25, imMax: 1.5, side: 3 } as const;
/** The deepest zoom whose pixels double precision still tells apart (MIN_RELATIVE_SCALE at |c| ≤ 2.25). */
export const MAX_TILE_ZOOM = 36;

/** The view of tile z/x/y (x to the east, y to the south, as slippy maps number them). */
export function tileView(z: number, x: number, y: number): View {
  const side = TILE_WORLD.side / 2 ** z;
  return { cx: TILE_WORLD.reMin + (x + 0.5) * side, cy: TILE_WORLD.imMax - (y + 0.5) * side, scale: side / TILE_SIZE };
}

/** Why a view cannot be rendered faithfully in double precision, or null when it can. */
export function viewTooDeep(v: View, width: number, height: number): string | null {
  const reach = Math.max(1, Math.abs(v.cx) + (v.scale * width) / 2, Math.abs(v.cy) + (v.scale * height) / 2);
  if (v.scale >= MIN_RELATIVE_SCALE * reach) return null;
  return `a pixel of ${v.scale.toExponential(2)} at coordinates up to ${reach.toFixed(2)} is below what double precision resolves (${(MIN_RELATIVE_SCALE * reach).toExponential(2)}; tiles: zoom ${MAX_TILE_ZOOM} at most)`;
}

/**
 * The mirror shortcut applies: row y and row height-1-y are exact negatives of each other in
 * floating point (the default view, or any view centred on the real axis), so the bottom half is
 * the top half upside down.
 */
export const isMirrorSymmetric = (p: RenderParams): boolean => !p.deep && (!p.view || p.view.cy === 0);

/**
 * The query that carries a view from the LB to a slave. String(n) is the shortest decimal that
 * reads back as exactly n, so both ends compute with the same doubles.
 */
export const viewQuery = (v: View | undefined): Record<string, string> => (v ? { cx: String(v.cx), cy: String(v.cy), scale: String(v.scale) } : {});

/** Real part of pixel column x of a view (pixel centres, symmetric about cx). */
export const viewColumnRe = (x: number, width: number, v: View): number => v.cx + (2 * x - (width - 1)) * (v.scale / 2);

/** Imaginary part of pixel row y of a view (row 0 at the top; exact mirrors about cy = 0, as rowIm). */
export const viewRowIm = (y: number, height: number, v: View): number => v.cy + (height - 1 - 2 * y) * (v.scale / 2);

/** The real part of every pixel column of an image, its view's or the default view's. */
export function pixelColumns(p: RenderParams): Float64Array {
  const re = new Float64Array(p.width);
  for (let x = 0; x < p.width; x++) re[x] = p.view ? viewColumnRe(x, p.width, p.view) : columnRe(x, p.width);
  return re;
}

/** The imaginary part of pixel row y of an image, its view's or the default view's. */
export const pixelRowIm = (p: RenderParams, y: number): number => (p.view ? viewRowIm(y, p.height, p.view) : rowIm(y, p.height));

/** The palette index of an escape count: its colour, or INSIDE for a point still bounded. */
export const paletteIndex = (n: number, escape: number): number => (n < escape ? n % PALETTE_SIZE : INSIDE);

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
