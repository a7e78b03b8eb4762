export * from './settings.js';
export * from './logger.js';
export * from './http-errors.js';
export * from './kv-validation.js';
export * from './protocol.js';
export * from './mandelbrot-view.js';
export * from './request-context.js';
export * from './query-params.js';
