// Change ids (GET /watch's event ids) are Redis stream ids, "<ms>-<seq>": compared as two numbers.
// Shared by the slave (which reads the stream) and the LB (which checks a client's Last-Event-ID).
const parts = (id: string): [number, number] => {
  const [ms, seq] = id.split('-');
  return [Number(ms) || 0, Number(seq) || 0];
};

export function idBefore(a: string, b: string): boolean {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  return am < bm || (am === bm && as < bs);
}

/** A stream id's parts are 64-bit numbers: at most 19 digits are always in range. */
export const CHANGE_ID_PATTERN = /^\d{1,19}-\d{1,19}$/;
export const isChangeId = (id: string): boolean => CHANGE_ID_PATTERN.test(id);
