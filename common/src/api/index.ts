// The public API's bodies, defined once in zod (kv-schemas.ts, system-schemas.ts).
import * as kv from './kv-schemas.js';
import * as system from './system-schemas.js';

export * from './kv-schemas.js';
export * from './system-schemas.js';
export * from './params.js';

/** Every body schema by the name the OpenAPI document gives it (its `id`). */
export const apiBodies = {
  Error: kv.ErrorBody,
  Version: kv.Version,
  Durability: kv.Durability,
  Value: kv.Value,
  Written: kv.Written,
  Incremented: kv.Incremented,
  VersionConflict: kv.VersionConflict,
  WatchEvent: kv.WatchEvent,
  Deleted: kv.Deleted,
  KeyPage: kv.KeyPage,
  SetForm: kv.SetForm,
  BatchOp: kv.BatchOp,
  BatchRequest: kv.BatchRequest,
  BatchResult: kv.BatchResult,
  BatchResponse: kv.BatchResponse,
  LeaderRef: system.LeaderRef,
  Leader: system.Leader,
  Health: system.Health,
  Readiness: system.Readiness,
  LbList: system.LbList,
  Server: system.Server,
  SignUp: system.SignUp,
  SignedUp: system.SignedUp,
  Event: system.Event,
  EventList: system.EventList,
  DashboardState: system.DashboardState,
} as const;
