// Deep views: arbitrary-precision centres, a reference orbit, perturbation with rebasing.
export * from './deep-tiles.js';
export * from './deep-view.js';
export * from './fixed-point.js';
export * from './perturbation.js';
export * from './reference-orbit.js';
