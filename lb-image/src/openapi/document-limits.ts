// The limits of the OpenAPI document that are settings of the LB: the served document states this
// LB's bounds, not the defaults.
import type { RenderLimits } from '@hscale/common';
import type { LbSettings } from '../settings.js';

export interface DocumentLimits extends RenderLimits {
  maxValueBytes: number;
}

export const documentLimits = (s: Pick<LbSettings, 'MAX_VALUE_BYTES' | 'MANDELBROT_MAX_DIMENSION' | 'MANDELBROT_MAX_ESCAPE'>): DocumentLimits => ({
  maxValueBytes: s.MAX_VALUE_BYTES,
  maxDimension: s.MANDELBROT_MAX_DIMENSION,
  maxEscape: s.MANDELBROT_MAX_ESCAPE,
});
