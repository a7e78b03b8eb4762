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

export const isChangeId = (id: string): boolean => /^\d{1,20}-\d{1,20}$/.test(id);
