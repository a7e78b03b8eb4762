// The domains of the API's query, path and header parameters, for the OpenAPI document. The bounds
// are the constants the validators enforce (kv-validation.ts, view-query.ts, mandelbrot-view.ts);
// test/integration/api-bounds.test.ts checks, through a running LB, that each documented bound is
// the one its routes apply. Byte limits, which JSON Schema cannot state, are `x-max-bytes`.
import { z } from 'zod';
import { CHANGE_ID_PATTERN } from '../change-ids.js';
import {
  DEFAULT_LIST_LIMIT, DEFAULT_WAIT_SECONDS, IDEMPOTENCY_KEY_PATTERN, INCR_BY_PATTERN, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_KEY_BYTES, MAX_LIST_LIMIT, MAX_TTL_SECONDS, MAX_VERSION,
  MAX_WAIT_SECONDS,
} from '../kv-validation.js';
import { MIN_DEEP_SCALE } from '../deep/deep-view.js';
import { MAX_DEEP_TILE_ZOOM } from '../deep/deep-tiles.js';
import { MAX_COORDINATE, MAX_SCALE } from '../view-query.js';

export const kvParams = {
  key: z.string().min(1).meta({ 'x-max-bytes': MAX_KEY_BYTES }),
  ttl: z.int().min(1).max(MAX_TTL_SECONDS),
  version: z.int().min(0).max(MAX_VERSION),
  idempotencyKey: z.string().regex(IDEMPOTENCY_KEY_PATTERN).max(MAX_IDEMPOTENCY_KEY_LENGTH),
  listLimit: z.int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  waitTimeout: z.number().gt(0).max(MAX_WAIT_SECONDS).default(DEFAULT_WAIT_SECONDS),
  incrBy: z.string().regex(INCR_BY_PATTERN).default('1'),
  changeId: z.string().regex(CHANGE_ID_PATTERN),
};

/** The limits of the Mandelbrot routes that are settings of the LB (MANDELBROT_MAX_*). */
export interface RenderLimits {
  maxDimension: number;
  maxEscape: number;
}

export const DEFAULT_ESCAPE = 1000;
export const DEFAULT_WIDTH = 800;

export const mandelbrotParams = (limits: RenderLimits) => ({
  width: z.int().min(1).max(limits.maxDimension).default(DEFAULT_WIDTH),
  height: z.int().min(1).max(limits.maxDimension),
  escape: z.int().min(1).max(limits.maxEscape).default(DEFAULT_ESCAPE),
  coordinate: z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE),
  scale: z.number().min(MIN_DEEP_SCALE).max(MAX_SCALE),
  zoom: z.int().min(0).max(MAX_DEEP_TILE_ZOOM),
  tileIndex: z.int().min(0),
});
