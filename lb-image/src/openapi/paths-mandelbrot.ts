// The Mandelbrot routes of the OpenAPI document (openapi.ts): images with views, and map tiles.
import { MAX_DEEP_PIXEL_ITERATIONS, MAX_DEEP_TILE_ZOOM, MAX_TILE_ZOOM, MIN_DEEP_SCALE, TILE_SIZE, mandelbrotParams, type RenderLimits } from '@hscale/common';
import { error, retryAfter, param, png } from './builders.js';

const tooManyRenders = error('`too_many_renders`', 'MANDELBROT_MAX_RENDERS renders (or MANDELBROT_MAX_PIXELS pixels) are in progress already. Try again after Retry-After.', retryAfter);

/** The Mandelbrot paths; the size and escape limits are this LB's settings. */
export const mandelbrotPaths = (limits: RenderLimits) => {
  const p = mandelbrotParams(limits);
  /** View coordinates: the set lies within |c| ≤ 2, and the LB refuses anything beyond MAX_COORDINATE (view-query.ts). */
  const coordinate = p.coordinate;
  const escapeParam = param('escape', `Iteration limit (1 to ${limits.maxEscape}, MANDELBROT_MAX_ESCAPE): higher shows more detail at the edge of the set and takes longer.`, p.escape);
  return {
    '/mandelbrot.png': {
      get: {
        tags: ['mandelbrot'],
        operationId: 'mandelbrot',
        summary: 'Render the Mandelbrot set',
        description:
          'A PNG of exactly width × height. The default view is re -2..0.5, im -1.2..1.2. Choose another with `cx`, `cy` and `scale`, or with the four corners ' +
          '(not both). A view by `cx`, `cy` and `scale` deeper than double precision resolves is rendered by perturbation (one reference orbit in arbitrary precision, ' +
          'every pixel as a difference from it, glitches corrected by rebasing): `cx` and `cy` may then have any number of digits (up to 1100 characters), ' +
          `and \`scale\` goes down to ${MIN_DEEP_SCALE}; such a view may cost width × height × escape = ${MAX_DEEP_PIXEL_ITERATIONS} pixel-iterations at most (else 400 \`invalid_parameter\`). ` +
          'Deeper, or corners beyond double precision: 400 `zoom_too_deep`.',
        parameters: [
          param('width', `Width in pixels (1 to ${limits.maxDimension}, MANDELBROT_MAX_DIMENSION).`, p.width),
          param('height', `Height in pixels (1 to ${limits.maxDimension}). Default: the view's aspect ratio.`, p.height),
          escapeParam,
          param('cx', 'Real part of the centre of the view, a decimal of any precision (up to 1100 characters). Goes with `cy` and `scale`.', coordinate),
          param('cy', 'Imaginary part of the centre of the view, a decimal of any precision (up to 1100 characters). Goes with `cx` and `scale`.', coordinate),
          param('scale', `Size of one pixel in complex-plane units (above 0; ${MIN_DEEP_SCALE} at least), as a decimal or in scientific notation (\`1.5e-200\`). Goes with \`cx\` and \`cy\`.`, p.scale),
          param('reMin', 'Left edge of the view. Goes with `reMax`, `imMin` and `imMax`.', coordinate),
          param('reMax', 'Right edge of the view (above `reMin`).', coordinate),
          param('imMin', 'Bottom edge of the view.', coordinate),
          param('imMax', 'Top edge of the view (above `imMin`).', coordinate),
        ],
        responses: {
          '200': png('The picture.', {
            'X-Render-Bands': { description: 'Bands the picture was split into.', schema: { type: 'integer' } },
            'X-Render-Ms': { description: 'Milliseconds the clusters took.', schema: { type: 'integer' } },
            'X-Render-Retries': { description: 'Bands sent again after a cluster failed.', schema: { type: 'integer' } },
            'X-Render-Backups': { description: 'Backup copies started for slow bands.', schema: { type: 'integer' } },
          }),
          '400': error('`invalid_parameter`, `zoom_too_deep`', `A parameter is missing its partners, out of range or not a number, or the view is too deep (a pixel below ${MIN_DEEP_SCALE}).`),
          '429': tooManyRenders,
          '500': error('`internal_error`', 'A bug in the LB.'),
          '503': error('`render_failed`', 'No healthy cluster could render the picture.', retryAfter),
        },
      },
    },
    '/mandelbrot/tiles/{z}/{x}/{y}.png': {
      get: {
        tags: ['mandelbrot'],
        operationId: 'mandelbrotTile',
        summary: 'A 256×256 map tile',
        description:
          'Slippy-map tiles (as for Leaflet): zoom `z`, column `x` to the east, row `y` to the south. Tiles are cached: `X-Tile-Cache` says whether this one was. ' +
          `Beyond zoom ${MAX_TILE_ZOOM}, x and y are whole numbers of up to 300 digits, a tile is a view by centre and pixel size (rendered by perturbation where doubles do not resolve it), and escape × ${TILE_SIZE}² may be at most ${MAX_DEEP_PIXEL_ITERATIONS}.`,
        parameters: [
          param('z', `Zoom level, 0 to ${MAX_DEEP_TILE_ZOOM} (pixels of 3/256/2^z, at least ${MIN_DEEP_SCALE}).`, p.zoom, 'path'),
          param('x', 'Column, 0 to 2^z - 1 (up to 300 digits).', p.tileIndex, 'path'),
          param('y', 'Row, 0 to 2^z - 1 (up to 300 digits).', p.tileIndex, 'path'),
          escapeParam,
        ],
        responses: {
          '200': png('The tile, 256 × 256 pixels. It never changes: `Cache-Control: public, max-age=86400`.', {
            'X-Tile-Cache': { description: '`hit` if the tile came from the cache, `miss` if it was rendered now.', schema: { type: 'string', enum: ['hit', 'miss'] } },
            'X-Rendered-By': { description: 'On a miss: the id of the cluster that rendered it.', schema: { type: 'string' } },
          }),
          '400': error('`invalid_parameter`, `zoom_too_deep`', `z, x, y or escape is not a whole number in range, or a deep tile's escape is too high (\`invalid_parameter\`), or z is beyond ${MAX_DEEP_TILE_ZOOM} (\`zoom_too_deep\`).`),
          '429': tooManyRenders,
          '500': error('`internal_error`', 'A bug in the LB.'),
          '503': error('`render_failed`', 'No healthy cluster could render the tile. (Without a leader the cache is skipped and the tile is still rendered.)', retryAfter),
        },
      },
    },
  } as const;
};
