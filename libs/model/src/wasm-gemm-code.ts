/**
 * The two GEMM loops of wasm-gemm.ts as WebAssembly functions (wasm-encoder.ts). Both sum every
 * output's products in k order onto a zero, one multiply and one add at a time (no FMA in wasm
 * SIMD), which is what XNNPACK's f32 GEMM does (acc = bias 0, then acc + a·b for k = 0, 1, …):
 * the floats are XNNPACK's. Tiles of 4 rows × 8 columns keep 8 f32x4 accumulators in registers.
 */
import {
  add, and, f32Add, f32Load, f32Mul, f32Store, f32Zero, F32, f32x4Add, f32x4Mul, f32x4Splat, get, I32, i32, inc, ltU, mul, set, shuffle, V128, v128Load, v128LoadAt, v128Store, v128StoreAt, v128Zero, whileLoop, type WasmFunction,
} from './wasm-encoder';

const range = (n: number): number[] => [...Array(n).keys()];
/** addr + i·stride (i a constant, stride a local) */
const offsetRows = (addr: number[], i: number, stride: number): number[] => [...addr, ...(i ? [...i32(i), ...get(stride), ...mul, ...add] : [])];

/**
 * nn(a, b, out, batch, M, K, N, bStride): out[t, m, n] = Σ_{k < K} a[t, m, k]·b[t, k, n] for
 * t < batch; a [batch, M, K], out [batch, M, N], b [K, N] at b + t·bStride bytes (0: one b for
 * every item); byte addresses; any M, K, N. Rows in tiles of 4 (then 1); columns in tiles of 8,
 * then 4, then one at a time; a's values splatted, b's rows read in place.
 */
export function nnFn(): WasmFunction {
  const [A, B, OUT, BATCH, M, K, N, BSTRIDE] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, m, n, k, ap, bp, op, aBase, bBase, oBase, rowA, rowB, mTiles] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]; // i32
  const acc = [21, 22, 23, 24, 25, 26, 27, 28]; // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [b0, b1, s] = [29, 30, 31]; // v128
  const sacc = [32, 33, 34, 35]; // f32: one column of up to 4 rows
  const bs = 36; // f32
  const va = [37, 38, 39, 40]; // v128: four k of each of the tile's a rows
  const a = (i: number): number => acc[i] as number;
  const start = [
    ...get(aBase), ...get(m), ...get(rowA), ...mul, ...add, ...set(ap),
    ...get(bBase), ...get(n), ...i32(4), ...mul, ...add, ...set(bp),
    ...i32(0), ...set(k),
  ];
  const outAt = [...get(oBase), ...get(m), ...get(rowB), ...mul, ...add, ...get(n), ...i32(4), ...mul, ...add, ...set(op)];
  const aAt = (i: number): number[] => [...offsetRows(get(ap), i, rowA), ...f32Load]; // a[m + i, k]
  /** r rows × (4·w) columns, w = 2 or 1 f32x4 */
  const tile = (r: number, w: number): number[] => [
    ...range(r).flatMap((i) => range(w).flatMap((c) => [...v128Zero, ...set(a(2 * i + c))])),
    ...start,
    // four k at a time: one f32x4 load of each a row, its lanes splatted in turn
    ...whileLoop([...get(k), ...i32(3), ...add, ...get(K), ...ltU], [
      ...range(r).flatMap((i) => [...offsetRows(get(ap), i, rowA), ...v128Load, ...set(va[i] as number)]),
      ...range(4).flatMap((kk) => [
        ...get(bp), ...v128Load, ...set(b0),
        ...(w === 2 ? [...get(bp), ...v128LoadAt(16), ...set(b1)] : []),
        ...range(r).flatMap((i) => [
          ...get(va[i] as number), ...get(va[i] as number), ...shuffle([kk, kk, kk, kk]), ...set(s),
          ...range(w).flatMap((c) => [...get(a(2 * i + c)), ...get(s), ...get(c ? b1 : b0), ...f32x4Mul, ...f32x4Add, ...set(a(2 * i + c))]),
        ]),
        ...inc(bp, get(rowB)),
      ]),
      ...inc(ap, i32(16)),
      ...inc(k, i32(4)),
    ]),
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(bp), ...v128Load, ...set(b0),
      ...(w === 2 ? [...get(bp), ...v128LoadAt(16), ...set(b1)] : []),
      ...range(r).flatMap((i) => [
        ...aAt(i), ...f32x4Splat, ...set(s),
        ...range(w).flatMap((c) => [...get(a(2 * i + c)), ...get(s), ...get(c ? b1 : b0), ...f32x4Mul, ...f32x4Add, ...set(a(2 * i + c))]),
      ]),
      ...inc(ap, i32(4)), ...inc(bp, get(rowB)),
      ...inc(k, i32(1)),
    ]),
    ...outAt,
    ...range(r).flatMap((i) => range(w).flatMap((c) => [...offsetRows(get(op), i, rowB), ...get(a(2 * i + c)), ...(c ? v128StoreAt(16) : v128Store)])),
  ];
  /** r rows × 1 column, scalar */
  const column = (r: number): number[] => [
    ...range(r).flatMap((i) => [...f32Zero, ...set(sacc[i] as number)]),
    ...start,
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(bp), ...f32Load, ...set(bs),
      ...range(r).flatMap((i) => [...get(sacc[i] as number), ...aAt(i), ...get(bs), ...f32Mul, ...f32Add, ...set(sacc[i] as number)]),
      ...inc(ap, i32(4)), ...inc(bp, get(rowB)),
      ...inc(k, i32(1)),
    ]),
    ...outAt,
    ...range(r).flatMap((i) => [...offsetRows(get(op), i, rowB), ...get(sacc[i] as number), ...f32Store]),
  ];
  const overColumns = (r: number): number[] => [
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...i32(7), ...add, ...get(N), ...ltU], [...tile(r, 2), ...inc(n, i32(8))]),
    ...get(n), ...i32(3), ...add, ...get(N), ...ltU, 0x04, 0x40, ...tile(r, 1), ...inc(n, i32(4)), 0x0b,
    ...whileLoop([...get(n), ...get(N), ...ltU], [...column(r), ...inc(n, i32(1))]),
  ];
  const code = [
    ...get(K), ...i32(4), ...mul, ...set(rowA),
    ...get(N), ...i32(4), ...mul, ...set(rowB),
    ...get(M), ...i32(-4), ...and, ...set(mTiles), // M rounded down to a multiple of 4 (i32.and)
    ...i32(0), ...set(t),
    ...whileLoop([...get(t), ...get(BATCH), ...ltU], [
      ...get(A), ...get(t), ...get(M), ...mul, ...get(rowA), ...mul, ...add, ...set(aBase),
      ...get(B), ...get(t), ...get(BSTRIDE), ...mul, ...add, ...set(bBase),
      ...get(OUT), ...get(t), ...get(M), ...mul, ...get(rowB), ...mul, ...add, ...set(oBase),
      ...i32(0), ...set(m),
      ...whileLoop([...get(m), ...get(mTiles), ...ltU], [...overColumns(4), ...inc(m, i32(4))]),
      ...whileLoop([...get(m), ...get(M), ...ltU], [...overColumns(1), ...inc(m, i32(1))]),
      ...inc(t, i32(1)),
    ]),
  ];
  return { name: 'nn', params: 8, locals: [[13, I32], [11, V128], [5, F32], [4, V128]], code };
}

/**
 * tn(x, dy, out, K, chunks, I, J, batch): for t < batch,
 * out[t, i, j] = Σ_c (Σ_{k < K} x[t, c·K + k, i]·dy[t, c·K + k, j]), the chunks' sums added in
 * chunk order onto the first (as `tf.sum(parts, 0)` adds them onto 0); x [batch, chunks·K, I],
 * dy [batch, chunks·K, J], out [batch, I, J]; byte addresses; any I, J a multiple of 8. Tiles of
 * 4 columns of x (one f32x4 load, lanes splatted), then 1, against 8 columns of dy.
 */
export function tnFn(): WasmFunction {
  const [X, DY, OUT, K, CH, I, J, BATCH] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, c, i, j, k, xp, dp, op, xBase, dBase, oBase, rowX, rowD, iTiles] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]; // i32
  const acc = [22, 23, 24, 25, 26, 27, 28, 29]; // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [xv, b0, b1, s] = [30, 31, 32, 33]; // v128
  const a = (n: number): number => acc[n] as number;
  const use = (l: number): number[] => [
    ...get(a(2 * l)), ...get(s), ...get(b0), ...f32x4Mul, ...f32x4Add, ...set(a(2 * l)),
    ...get(a(2 * l + 1)), ...get(s), ...get(b1), ...f32x4Mul, ...f32x4Add, ...set(a(2 * l + 1)),
  ];
  /** r = 4 (x's four values from one load) or 1 (one value) output rows × 8 columns */
  const tile = (r: number): number[] => [
    ...acc.slice(0, 2 * r).flatMap((l) => [...v128Zero, ...set(l)]),
    ...get(xBase), ...get(i), ...i32(4), ...mul, ...add, ...set(xp),
    ...get(dBase), ...get(j), ...i32(4), ...mul, ...add, ...set(dp),
    ...i32(0), ...set(k),
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(dp), ...v128Load, ...set(b0),
      ...get(dp), ...v128LoadAt(16), ...set(b1),
      ...(r === 4
        ? [...get(xp), ...v128Load, ...set(xv), ...range(4).flatMap((l) => [...get(xv), ...get(xv), ...shuffle([l, l, l, l]), ...set(s), ...use(l)])]
        : [...get(xp), ...f32Load, ...f32x4Splat, ...set(s), ...use(0)]),
      ...inc(xp, get(rowX)), ...inc(dp, get(rowD)),
      ...inc(k, i32(1)),
    ]),
    ...get(oBase), ...get(i), ...get(rowD), ...mul, ...add, ...get(j), ...i32(4), ...mul, ...add, ...set(op),
    ...get(c), 0x04, 0x40, // if c ≠ 0: out += acc
    ...range(r).flatMap((l) => [0, 1].flatMap((h) => {
      const at = offsetRows(get(op), l, rowD);
      return [...at, ...at, ...(h ? v128LoadAt(16) : v128Load), ...get(a(2 * l + h)), ...f32x4Add, ...(h ? v128StoreAt(16) : v128Store)];
    })),
    0x05, // else: out = acc
    ...range(r).flatMap((l) => [0, 1].flatMap((h) => [...offsetRows(get(op), l, rowD), ...get(a(2 * l + h)), ...(h ? v128StoreAt(16) : v128Store)])),
    0x0b,
  ];
  const overColumns = (r: number): number[] => [
    ...i32(0), ...set(j),
    ...whileLoop([...get(j), ...get(J), ...ltU], [...tile(r), ...inc(j, i32(8))]),
  ];
  const code = [
    ...get(I), ...i32(4), ...mul, ...set(rowX),
    ...get(J), ...i32(4), ...mul, ...set(rowD),
    ...get(I), ...i32(-4), ...and, ...set(iTiles), // I rounded down to a multiple of 4 (i32.and)
    ...i32(0), ...set(t),
    ...whileLoop([...get(t), ...get(BATCH), ...ltU], [
      ...get(OUT), ...get(t), ...get(I), ...mul, ...get(rowD), ...mul, ...add, ...set(oBase),
      ...i32(0), ...set(c),
      ...whileLoop([...get(c), ...get(CH), ...ltU], [
        // item t, chunk c: rows (t·chunks + c)·K of x and dy
        ...get(X), ...get(t), ...get(CH), ...mul, ...get(c), ...add, ...get(K), ...mul, ...get(rowX), ...mul, ...add, ...set(xBase),
        ...get(DY), ...get(t), ...get(CH), ...mul, ...get(c), ...add, ...get(K), ...mul, ...get(rowD), ...mul, ...add, ...set(dBase),
        ...i32(0), ...set(i),
        ...whileLoop([...get(i), ...get(iTiles), ...ltU], [...overColumns(4), ...inc(i, i32(4))]),
        ...whileLoop([...get(i), ...get(I), ...ltU], [...overColumns(1), ...inc(i, i32(1))]),
        ...inc(c, i32(1)),
      ]),
      ...inc(t, i32(1)),
    ]),
  ];
  return { name: 'tn', params: 8, locals: [[14, I32], [12, V128]], code };
}
