// Change ids are Redis stream ids, "<ms>-<seq>": compared as two numbers.
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
export const isChangeId = (id: string): boolean => /^\d{1,19}-\d{1,19}$/.test(id);
