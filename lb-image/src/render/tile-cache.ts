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

export const tileId = (z: number, x: number, y: number, escape: number) => `${z}.${x}.${y}.${escape}`;

export class TileCache {
  constructor(
    private readonly view: ClusterView,
    /** Slaves that may serve requests of the current epoch (none without a leader), and that epoch. */
    private readonly routable: () => { epoch: number; members: Member[] } | null,
    private readonly opts: TileCacheOptions,
  ) {}

  async get(id: string): Promise<Buffer | null> {
    const res = await this.ask('GET', id);
    return res?.status === 200 ? res.body : null;
  }

  /** Resolves when the store has it (or refused it): never rejects. */
  async put(id: string, png: Buffer): Promise<void> {
    await this.ask('PUT', id, png, `?ttlMs=${this.opts.ttlSeconds * 1000}&capBytes=${this.opts.maxBytes}`);
  }

  private async ask(method: 'GET' | 'PUT', id: string, body?: Buffer, query = '') {
    if (this.opts.maxBytes === 0) return null;
    const target = this.routable();
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
