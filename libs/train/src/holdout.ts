/**
 * A deterministic held-out split that does not depend on the training seed: prompts are
 * ranked by a hash of their text and the first ⌈fraction · #prompts⌉ (at least one) are held
 * out with all their items, so a question never has items on both sides.
 */
import { sha256 } from '@sieve/core';

export interface HoldoutSplit<T> {
  train: T[];
  heldOut: T[];
}

export function holdOut<T extends { prompt: string }>(items: readonly T[], fraction: number): HoldoutSplit<T> {
  const prompts = [...new Set(items.map((it) => it.prompt))];
  if (fraction <= 0 || prompts.length < 2) return { train: [...items], heldOut: [] };
  const k = Math.min(prompts.length - 1, Math.max(1, Math.ceil(fraction * prompts.length)));
  const ranked = prompts.map((p) => ({ p, h: sha256(p) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const held = new Set(ranked.slice(0, k).map((r) => r.p));
  return { train: items.filter((it) => !held.has(it.prompt)), heldOut: items.filter((it) => held.has(it.prompt)) };
}
