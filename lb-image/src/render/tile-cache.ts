// Rendered map tiles kept in the key-value store: in the leader's Redis through a slave (internal
// keys that listings never show; cluster-image/src/tile-routes.ts), so a tile seen once comes back
// at once, after a failover too (followers replicate it like any key). A cache: when no slave can
// be asked, or the store refuses, the tile is simply rendered.
import { EPOCH_HEADER } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';

export interface TileCacheOptions {
  ttlSeconds: number;
  /** 0: no cache. */
  maxBytes: number;
  timeoutMs: number;
}

/**
 * A tile's key in the store. TILE_FORMAT changes whenever the same tile would render to other bytes
 * (palette, kernel, PNG layout), so that an upgraded fleet never serves the old tiles.
 */
export const TILE_FORMAT = 1;
export const tileId = (z: number, x: number | bigint, y: number | bigint, escape: number) => `${TILE_FORMAT}.${z}.${x}.${y}.${escape}`;

export class TileCache {
  constructor(
    private readonly view: ClusterView,
    /**
     * Slaves that may serve requests of the current epoch (none without a leader), that epoch, and
     * the leader's Redis memory as last probed.
     */
    private readonly routable: () => { epoch: number; members: Member[]; leaderMemory?: { used: number; max: number } } | null,
    private readonly opts: TileCacheOptions,
  ) {}

  async get(id: string): Promise<Buffer | null> {
    const res = await this.ask('GET', id);
    return res?.status === 200 ? res.body : null;
  }

  /**
   * Resolves when the store has it (or refused it): never rejects. Skipped while the leader's Redis
   * is over 90% of its memory bound: user data comes first (tiles count against MAX_MEMORY, and
   * with EVICTION=lru a tile write could evict a user key).
   */
  async put(id: string, png: Buffer): Promise<void> {
    const target = this.routable();
    const memory = target?.leaderMemory;
    if (memory && memory.max > 0 && memory.used + png.length > 0.9 * memory.max) return;
    await this.ask('PUT', id, png, `?ttlMs=${this.opts.ttlSeconds * 1000}&capBytes=${this.opts.maxBytes}`, target);
  }

  private async ask(method: 'GET' | 'PUT', id: string, body?: Buffer, query = '', target = this.routable()) {
    if (this.opts.maxBytes === 0) return null;
    const m = target?.members[Math.floor(Math.random() * target.members.length)];
    if (!target || !m) return null;
    return this.view
      .send(m, {
        method,
        path: `/internal/tiles/${id}${query}`,
        headers: { [EPOCH_HEADER]: String(target.epoch), ...(body ? { 'content-type': 'image/png' } : {}) },
        body,
        timeoutMs: this.opts.timeoutMs,
      })
      .catch(() => null);
  }
}
