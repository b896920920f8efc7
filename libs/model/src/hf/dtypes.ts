/**
 * Float conversions between float32 and the 16-bit formats of checkpoints (BF16, F16).
 * Hand-written: Node 20 has no Float16Array and no maintained npm package does this for us.
 * Both narrowing conversions round to nearest, ties to even (as PyTorch and numpy do), so a
 * 16-bit value widened to float32 and narrowed again is bit-identical.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** BF16 bits (the upper half of a float32) → float32. Exact. */
export function bf16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = (src[i] ?? 0) << 16;
  return out;
}

/** float32 → BF16 bits, round to nearest even; NaN stays a quiet NaN. */
export function f32ToBf16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const b = bits[i] ?? 0;
    if ((b & 0x7fffffff) > 0x7f800000) out[i] = ((b >>> 16) | 0x0040) & 0xffff;
    else out[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** IEEE half bits → float32. Exact. */
export function f16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i++) {
    const h = src[i] ?? 0;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** float32 → IEEE half bits, round to nearest even; overflow → ±Infinity. */
export function f32ToF16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) {
    f32[0] = src[i] ?? 0;
    const x = u32[0] ?? 0;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      // Subnormal half (or zero): shift the full mantissa (with its implicit 1) into place.
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      const round = rem > mid || (rem === mid && (half & 1) === 1) ? 1 : 0;
      out[i] = sign | (half + round);
      continue;
    }
    const half = mant >>> 13;
    const rem = mant & 0x1fff;
    let h = (e << 10) | half;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) h += 1; // may carry into the exponent: correct
    e = h;
    out[i] = sign | e;
  }
  return out;
}
