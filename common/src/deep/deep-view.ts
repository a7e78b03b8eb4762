// A deep view: deeper than double precision resolves (mandelbrot-view.ts, viewTooDeep), down to a
// pixel of MIN_DEEP_SCALE. Its centre stays the decimal text the client gave (any length), its
// pixel size a double; it is rendered by perturbation (perturbation.ts) around its reference orbit.
import type { RenderParams } from '../mandelbrot-view.js';

export interface DeepView {
  /** The centre, as decimal text (exact: converted to fixed point with the view's precision). */
  cx: string;
  cy: string;
  /** The size of one pixel. */
  scale: number;
}

/** The smallest pixel a deep view may have (about zoom 990). */
export const MIN_DEEP_SCALE = 1e-300;
/** The longest cx or cy accepted: more digits than a pixel of MIN_DEEP_SCALE can use. */
export const MAX_DECIMAL_LENGTH = 1100;

/**
 * width × height × escape of a deep view at most: perturbation has no shortcut for points inside
 * the set (each runs the whole escape limit), so this bounds what one request may cost (about
 * 5 ns per pixel-iteration: half a minute of one core).
 */
export const MAX_DEEP_PIXEL_ITERATIONS = 5e9;

export type DeepParams = RenderParams & { deep: DeepView };
export const isDeep = (p: RenderParams): p is DeepParams => p.deep !== undefined;

/** The query that carries a deep view from the LB to a slave: the centre as the client wrote it. */
export const deepQuery = (v: DeepView): Record<string, string> => ({ cx: v.cx, cy: v.cy, scale: String(v.scale) });
