/**
 * The two GEMM loops of wasm-gemm.ts as WebAssembly functions (wasm-encoder.ts). Both sum every
 * output's products in k order onto a zero, compiled one of two ways:
 * - fused: one f32x4.relaxed_madd per product (relaxed SIMD), a single rounding on CPUs with FMA
 *   (V8 emits vfmadd231ps on x64 with FMA3, fmla on arm64); 1.3–1.5× the GEMM throughput, since
 *   128-bit wasm SIMD otherwise spends two instructions on each multiply-add;
 * - exact: a multiply then an add, which is what XNNPACK's f32 GEMM does (acc = bias 0, then
 *   acc + a·b for k = 0, 1, …): the floats are XNNPACK's. Used where relaxed SIMD is missing.
 * Every output is summed the same way whatever tile it falls in, so a product's floats do not
 * depend on M (one decoded row or a whole prompt) or on where the row lies.
 */
import {
  add, and, f32Load, f32Store, f32x4Add, f32x4ExtractLane, f32x4Mul, f32x4RelaxedMadd, f32x4Splat, get, I32, i32, inc, leU, ltU, mul, remU, select, set, shuffle, sub, V128, v128Load, v128LoadAt, v128Store, v128StoreAt, v128Zero, whileLoop, type WasmFunction,
} from './wasm-encoder';

const range = (n: number): number[] => [...Array(n).keys()];
/**
 * Rows of the NN kernel's main tile: 6 rows × 8 columns keep 12 f32x4 accumulators, two of b and
 * one splat in x64's 16 SIMD registers (V8 keeps one as scratch). Measured on [4080, 256]·[256, 240]
 * and the 672-wide shapes with FMA: 50–52 GFLOP/s against 41–45 for 4 × 8 (7 × 8: 52–55, but it spills).
 */
export const NN_TILE_ROWS = 6;
/**
 * Columns of dy that tn reads for every tile of x's columns before moving on: a chunk's
 * [K, 128] block of dy (256 KB at K = 512) stays in L2, where the whole 688 columns did not.
 */
const TN_COLUMN_BLOCK = 128;
/** acc += x·y on f32x4 locals: one multiply then one add, or one fused multiply-add */
const mac = (acc: number, x: number, y: number, fma: boolean): number[] =>
  fma ? [...get(x), ...get(y), ...get(acc), ...f32x4RelaxedMadd, ...set(acc)] : [...get(acc), ...get(x), ...get(y), ...f32x4Mul, ...f32x4Add, ...set(acc)];
/** addr + i·stride (i a constant, stride a local) */
const offsetRows = (addr: number[], i: number, stride: number): number[] => [...addr, ...(i ? [...i32(i), ...get(stride), ...mul, ...add] : [])];

/**
 * nn(a, b, out, batch, M, K, N, bStride, pack): out[t, m, n] = Σ_{k < K} a[t, m, k]·b[t, k, n]
 * for t < batch; a [batch, M, K], out [batch, M, N], b [K, N] at b + t·bStride bytes (0: one b
 * for every item); byte addresses; any M, K, N. Rows in tiles of `rows` (then 4, 2, 1); columns
 * in tiles of 8, then 4, then one at a time (in lane 0 of an f32x4, so every output is summed
 * alike); a's values splatted. pack ≠ 0: a scratch of K·N floats where each item's b is first
 * copied as [N/8, K, 8] panels, which the 8-column tiles then read contiguously (+7–11% on the
 * training shapes; worth it when many row tiles reuse b); else b's rows are read in place.
 */
export function nnFn(fma: boolean, rows = NN_TILE_ROWS): WasmFunction {
  const [A, B, OUT, BATCH, M, K, N, BSTRIDE, PACK] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [t, m, n, k, ap, bp, op, aBase, bBase, oBase, rowA, rowB, mTiles, bStep, src, dst] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]; // i32
  let next = 25;
  const ro = range(rows).map(() => next++); // i32: i·rowA, the byte offset of the tile's row i
  const i32Locals = next - 9;
  const acc = range(2 * rows).map(() => next++); // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [b0, b1, s] = [next++, next++, next++]; // v128
  const va = range(rows).map(() => next++); // v128: four k of each of the tile's a rows
  const a = (i: number): number => acc[i] as number;
  /** ap, bp and k at the tile's start; `packed`: an 8-column tile, which reads b's panel n/8 at PACK + (n/8)·K·32 when PACK ≠ 0 */
  const start = (packed: boolean): number[] => [
    ...get(aBase), ...get(m), ...get(rowA), ...mul, ...add, ...set(ap),
    ...(packed ? [...get(PACK), ...get(n), ...get(rowA), ...mul, ...add] : []),
    ...get(bBase), ...get(n), ...i32(4), ...mul, ...add,
    ...(packed ? [...get(PACK), ...select] : []), // select(packed, in place, PACK)
    ...set(bp),
    ...i32(0), ...set(k),
  ];
  const outAt = [...get(oBase), ...get(m), ...get(rowB), ...mul, ...add, ...get(n), ...i32(4), ...mul, ...add, ...set(op)];
  const rowAt = (i: number): number[] => [...get(ap), ...(i ? [...get(ro[i] as number), ...add] : [])]; // &a[m + i, k]
  /** r rows × (4·w) columns, w = 2 or 1 f32x4 */
  const tile = (r: number, w: number): number[] => [
    ...range(r).flatMap((i) => range(w).flatMap((c) => [...v128Zero, ...set(a(2 * i + c))])),
    ...start(w === 2),
    // four k at a time: one f32x4 load of each a row, its lanes splatted in turn
    ...whileLoop([...get(k), ...i32(3), ...add, ...get(K), ...ltU], [
      ...range(r).flatMap((i) => [...rowAt(i), ...v128Load, ...set(va[i] as number)]),
      ...range(4).flatMap((kk) => [
        ...get(bp), ...v128Load, ...set(b0),
        ...(w === 2 ? [...get(bp), ...v128LoadAt(16), ...set(b1)] : []),
        ...range(r).flatMap((i) => [
          ...get(va[i] as number), ...get(va[i] as number), ...shuffle([kk, kk, kk, kk]), ...set(s),
          ...range(w).flatMap((c) => mac(a(2 * i + c), s, c ? b1 : b0, fma)),
        ]),
        ...inc(bp, get(w === 2 ? bStep : rowB)),
      ]),
      ...inc(ap, i32(16)),
      ...inc(k, i32(4)),
    ]),
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(bp), ...v128Load, ...set(b0),
      ...(w === 2 ? [...get(bp), ...v128LoadAt(16), ...set(b1)] : []),
      ...range(r).flatMap((i) => [
        ...rowAt(i), ...f32Load, ...f32x4Splat, ...set(s),
        ...range(w).flatMap((c) => mac(a(2 * i + c), s, c ? b1 : b0, fma)),
      ]),
      ...inc(ap, i32(4)), ...inc(bp, get(w === 2 ? bStep : rowB)),
      ...inc(k, i32(1)),
    ]),
    ...outAt,
    ...range(r).flatMap((i) => range(w).flatMap((c) => [...offsetRows(get(op), i, rowB), ...get(a(2 * i + c)), ...(c ? v128StoreAt(16) : v128Store)])),
  ];
  /** r rows × 1 column, in lane 0 of each row's accumulator (lane-wise arithmetic is scalar arithmetic) */
  const column = (r: number): number[] => [
    ...range(r).flatMap((i) => [...v128Zero, ...set(a(2 * i))]),
    ...start(false),
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(bp), ...f32Load, ...f32x4Splat, ...set(b0),
      ...range(r).flatMap((i) => [...rowAt(i), ...f32Load, ...f32x4Splat, ...set(s), ...mac(a(2 * i), s, b0, fma)]),
      ...inc(ap, i32(4)), ...inc(bp, get(rowB)),
      ...inc(k, i32(1)),
    ]),
    ...outAt,
    ...range(r).flatMap((i) => [...offsetRows(get(op), i, rowB), ...get(a(2 * i)), ...f32x4ExtractLane(0), ...f32Store]),
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
    ...range(rows).flatMap((i) => [...get(rowA), ...i32(i), ...mul, ...set(ro[i] as number)]),
    ...get(M), ...get(M), ...i32(rows), ...remU, ...sub, ...set(mTiles), // M rounded down to a multiple of rows
    ...i32(32), ...get(rowB), ...get(PACK), ...select, ...set(bStep), // bytes from one k to the next in an 8-column tile's b
    ...i32(0), ...set(t),
    ...whileLoop([...get(t), ...get(BATCH), ...ltU], [
      ...get(A), ...get(t), ...get(M), ...mul, ...get(rowA), ...mul, ...add, ...set(aBase),
      ...get(B), ...get(t), ...get(BSTRIDE), ...mul, ...add, ...set(bBase),
      ...get(OUT), ...get(t), ...get(M), ...mul, ...get(rowB), ...mul, ...add, ...set(oBase),
      // PACK ≠ 0: copy b's 8-column panels, each [K, 8] contiguous, to PACK (the remaining N mod 8 columns stay in place)
      ...get(PACK), 0x04, 0x40,
      ...i32(0), ...set(n),
      ...whileLoop([...get(n), ...i32(7), ...add, ...get(N), ...ltU], [
        ...get(bBase), ...get(n), ...i32(4), ...mul, ...add, ...set(src),
        ...get(PACK), ...get(n), ...get(rowA), ...mul, ...add, ...set(dst),
        ...i32(0), ...set(k),
        ...whileLoop([...get(k), ...get(K), ...ltU], [
          ...get(dst), ...get(src), ...v128Load, ...v128Store,
          ...get(dst), ...get(src), ...v128LoadAt(16), ...v128StoreAt(16),
          ...inc(src, get(rowB)), ...inc(dst, i32(32)), ...inc(k, i32(1)),
        ]),
        ...inc(n, i32(8)),
      ]),
      0x0b,
      ...i32(0), ...set(m),
      ...whileLoop([...get(m), ...get(mTiles), ...ltU], [...overColumns(rows), ...inc(m, i32(rows))]),
      // the last M mod rows rows: a tile of 4, then of 2, then of 1 where they fit (one-row tiles are load-bound)
      ...[4, 2, 1].filter((r) => r < rows).flatMap((r) => [...get(m), ...i32(r), ...add, ...get(M), ...leU, 0x04, 0x40, ...overColumns(r), ...inc(m, i32(r)), 0x0b]),
      ...inc(t, i32(1)),
    ]),
  ];
  return { name: 'nn', params: 9, locals: [[i32Locals, I32], [next - 9 - i32Locals, V128]], code };
}

/**
 * tn(x, dy, out, K, chunks, I, J, batch): for t < batch,
 * out[t, i, j] = Σ_c (Σ_{k < K} x[t, c·K + k, i]·dy[t, c·K + k, j]), the chunks' sums added in
 * chunk order onto the first (as `tf.sum(parts, 0)` adds them onto 0); x [batch, chunks·K, I],
 * dy [batch, chunks·K, J], out [batch, I, J]; byte addresses; any I, J a multiple of 8. Tiles of
 * 4 columns of x (one f32x4 load, lanes splatted), then 1, against 8 columns of dy, over dy's
 * columns in blocks of TN_COLUMN_BLOCK.
 */
export function tnFn(fma: boolean): WasmFunction {
  const [X, DY, OUT, K, CH, I, J, BATCH] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, c, i, j, k, xp, dp, op, xBase, dBase, oBase, rowX, rowD, iTiles, jb, jEnd] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]; // i32
  const acc = [24, 25, 26, 27, 28, 29, 30, 31]; // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [xv, b0, b1, s] = [32, 33, 34, 35]; // v128
  const a = (n: number): number => acc[n] as number;
  const use = (l: number): number[] => [
    ...mac(a(2 * l), s, b0, fma),
    ...mac(a(2 * l + 1), s, b1, fma),
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
    ...get(jb), ...set(j),
    ...whileLoop([...get(j), ...get(jEnd), ...ltU], [...tile(r), ...inc(j, i32(8))]),
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
        // dy's columns in blocks of TN_COLUMN_BLOCK, each block read by every tile of x's columns
        ...i32(0), ...set(jb),
        ...whileLoop([...get(jb), ...get(J), ...ltU], [
          ...get(jb), ...i32(TN_COLUMN_BLOCK), ...add, ...get(J), ...get(jb), ...i32(TN_COLUMN_BLOCK), ...add, ...get(J), ...ltU, ...select, ...set(jEnd), // min(jb + block, J)
          ...i32(0), ...set(i),
          ...whileLoop([...get(i), ...get(iTiles), ...ltU], [...overColumns(4), ...inc(i, i32(4))]),
          ...whileLoop([...get(i), ...get(I), ...ltU], [...overColumns(1), ...inc(i, i32(1))]),
          ...inc(jb, i32(TN_COLUMN_BLOCK)),
        ]),
        ...inc(c, i32(1)),
      ]),
      ...inc(t, i32(1)),
    ]),
  ];
  return { name: 'tn', params: 8, locals: [[16, I32], [12, V128]], code };
}
