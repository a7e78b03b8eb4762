// A view of the Mandelbrot set from query parameters: cx, cy and scale (the centre and the size of
// one pixel), or the corners reMin, reMax, imMin, imMax. Shared by the LB (from users) and the
// slaves (from the LB), so both refuse the same things with the same words.
import { HttpError, badRequest } from './http-errors.js';
import { MAX_DECIMAL_LENGTH, MIN_DEEP_SCALE, type DeepView } from './deep/deep-view.js';
import { DECIMAL_PATTERN } from './deep/fixed-point.js';
import { defaultHeight, viewTooDeep, type View } from './mandelbrot-view.js';
import { numberQueryParam } from './query-params.js';

/** Coordinates beyond this are far outside the set (which lies within |c| ≤ 2). */
export const MAX_COORDINATE = 4;
/** The largest pixel (complex-plane units): the LB and the slaves accept the same views. */
export const MAX_SCALE = 1;

const present = (q: Record<string, unknown>, names: readonly string[]) => names.filter((n) => q[n] !== undefined && q[n] !== '');

function centred(q: Record<string, unknown>): View | undefined {
  const names = ['cx', 'cy', 'scale'] as const;
  const given = present(q, names);
  if (given.length === 0) return undefined;
  if (given.length < 3) throw badRequest('invalid_parameter', `cx, cy and scale go together; missing ${names.filter((n) => !given.includes(n)).join(', ')}`);
  const scale = numberQueryParam(q.scale, 'scale', MAX_SCALE);
  if (!(scale > 0)) throw badRequest('invalid_parameter', `scale (the size of one pixel) must be above 0; got ${JSON.stringify(q.scale)}`);
  for (const n of ['cx', 'cy'] as const) {
    if (typeof q[n] === 'string' && (q[n] as string).length > MAX_DECIMAL_LENGTH) throw badRequest('invalid_parameter', `${n} has more than ${MAX_DECIMAL_LENGTH} characters`);
  }
  return { cx: numberQueryParam(q.cx, 'cx', MAX_COORDINATE), cy: numberQueryParam(q.cy, 'cy', MAX_COORDINATE), scale };
}

/** The corners, stretched over `width`; with no `height`, the one that keeps pixels square. */
function corners(q: Record<string, unknown>, width: number): { view: View; height: number } | undefined {
  const names = ['reMin', 'reMax', 'imMin', 'imMax'] as const;
  const given = present(q, names);
  if (given.length === 0) return undefined;
  if (given.length < 4) throw badRequest('invalid_parameter', `reMin, reMax, imMin and imMax go together; missing ${names.filter((n) => !given.includes(n)).join(', ')}`);
  const [reMin, reMax, imMin, imMax] = names.map((n) => numberQueryParam(q[n], n, MAX_COORDINATE)) as [number, number, number, number];
  if (!(reMax > reMin) || !(imMax > imMin)) throw badRequest('invalid_parameter', 'reMax must be above reMin, and imMax above imMin');
  const scale = (reMax - reMin) / width;
  if (scale > MAX_SCALE) throw badRequest('invalid_parameter', `these corners make a pixel of ${scale} (at most ${MAX_SCALE}): give a larger width`);
  return { view: { cx: (reMin + reMax) / 2, cy: (imMin + imMax) / 2, scale }, height: Math.max(1, Math.round((imMax - imMin) / scale)) };
}

/**
 * The view the query asks for (undefined: the default view), or the deep view (beyond double
 * precision, by cx, cy and scale), and the height the corners imply (if they were used). 400 for a
 * partial or bad view, zoom_too_deep below a pixel of MIN_DEEP_SCALE (or corners beyond doubles).
 */
export function viewFromQuery(q: Record<string, unknown>, width: number, height?: number): { view?: View; deep?: DeepView; impliedHeight?: number } {
  const c = centred(q);
  const k = corners(q, width);
  if (c && k) throw badRequest('invalid_parameter', 'give either cx, cy and scale, or the corners, not both');
  const view = c ?? k?.view;
  if (!view) return {};
  // The height the image will have (a centred view without one: the default aspect), so that the
  // LB, which may not have been given a height, and a slave, which always is, decide alike.
  const tooDeep = viewTooDeep(view, width, height ?? k?.height ?? defaultHeight(width));
  if (!tooDeep) return { view, impliedHeight: k?.height };
  // Deeper than doubles resolve: a centred view is rendered by perturbation around its centre as
  // the client wrote it (any number of digits), down to a pixel of MIN_DEEP_SCALE.
  if (c && c.scale >= MIN_DEEP_SCALE) {
    for (const n of ['cx', 'cy'] as const) {
      if (!DECIMAL_PATTERN.test(q[n] as string)) throw badRequest('invalid_parameter', `${n} of a deep view must be a decimal number with an exponent of at most 4 digits`);
    }
    return { deep: { cx: q.cx as string, cy: q.cy as string, scale: c.scale } };
  }
  throw new HttpError(400, 'zoom_too_deep', c ? `a pixel of ${c.scale.toExponential(2)} is below ${MIN_DEEP_SCALE} (about zoom 990), the deepest view rendered` : `${tooDeep}; for deeper views give cx, cy and scale`);
}
