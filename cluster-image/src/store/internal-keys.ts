// Names of the internal keys (see library.ts). They start with a NUL byte: user keys may not
// contain control characters, so no user key can ever collide with one of these.
export const FENCE_KEY = '\0hs:fence';
export const INDEX_KEY = '\0hs:index';
export const EXPIRY_KEY = '\0hs:expiry';
export const OPS_KEY = '\0hs:ops';
/** A counter written after reads, so that a WAIT can confirm them (hs_beat). */
export const BEAT_KEY = '\0hs:beat';
/** Where the sweep's pass over the index stopped (the last key it looked at). */
export const SWEEP_CURSOR_KEY = '\0hs:sweep';
/** The tile cache (library.ts, tile_put): ids by time stored, and their sizes. */
export const TILES_KEY = '\0hs:tiles';
export const TILE_SIZES_KEY = '\0hs:tilesizes';
export const tileKey = (id: string) => `\0hs:tile:${id}`;
/** Each user key's version (library.ts, version_of). */
export const VERSIONS_KEY = '\0hs:versions';
/** The change stream watchers read (library.ts, log_change; change-feed.ts). */
export const CHANGES_KEY = '\0hs:changes';
