import { shuffleInPlace, type Rng } from '@sieve/core';
import { annotate, applyOp, isValidStep, sampleOperand, sampleRightOperand, type Draft } from './arith';
import type { GeneratorOptions, Operator } from './options';

/** "What is (12 + 3) * 4?" built as an expression tree, solved bottom-up one operation per line. */
type Node =
  | { kind: 'leaf'; value: number }
  | { kind: 'op'; op: Operator; left: Node; right: Node; value: number };

const PROMPTS = ['What is {e}?', 'Compute {e}.', 'Calculate {e}.', 'Find the value of {e}.', 'Evaluate {e}.'];

const leaf = (value: number): Node => ({ kind: 'leaf', value });

function makeOp(rng: Rng, op: Operator, left: Node, right: Node): Node {
  const value = applyOp(left.value, op, right.value);
  // Commutative: sometimes put the fresh side first so not every tree leans left.
  if ((op === '+' || op === '*') && left.value >= 0 && rng.next() < 0.5) return { kind: 'op', op, left: right, right: left, value };
  return { kind: 'op', op, left, right, value };
}

/** A tree with exactly n operations; right subtrees stay non-negative (no "5-(-3)"). */
function grow(rng: Rng, o: GeneratorOptions, n: number, allowNegative: boolean): Node | null {
  if (n === 0) return leaf(sampleOperand(rng, o));
  const rightOps = n >= 2 && rng.next() < 0.35 ? rng.int(1, Math.min(2, n - 1)) : 0;
  const left = grow(rng, o, n - 1 - rightOps, allowNegative);
  if (left === null) return null;
  for (const op of shuffleInPlace([...o.operators], rng)) {
    if (rightOps === 0) {
      const b = sampleRightOperand(rng, o, left.value, op, allowNegative);
      if (b !== null) return makeOp(rng, op, left, leaf(b));
      continue;
    }
    for (let tries = 0; tries < 4; tries++) {
      const right = grow(rng, o, rightOps, false);
      if (right !== null && isValidStep(left.value, op, right.value, o, allowNegative)) return makeOp(rng, op, left, right);
    }
  }
  return null;
}

const prec = (n: Node): number => (n.kind === 'leaf' ? 3 : n.op === '+' || n.op === '-' ? 1 : 2);

function print(n: Node): string {
  if (n.kind === 'leaf') return String(n.value);
  const p = prec(n);
  const l = prec(n.left) < p ? `(${print(n.left)})` : print(n.left);
  const r = prec(n.right) <= p && n.right.kind === 'op' ? `(${print(n.right)})` : print(n.right);
  return `${l} ${n.op} ${r}`;
}

/** Post-order: one annotated line per operation. */
function solve(n: Node, lines: string[], ops: Operator[]): void {
  if (n.kind === 'leaf') return;
  solve(n.left, lines, ops);
  solve(n.right, lines, ops);
  lines.push(annotate(n.left.value, n.op, n.right.value).text);
  ops.push(n.op);
}

function leaves(n: Node, out: number[]): number[] {
  if (n.kind === 'leaf') out.push(n.value);
  else {
    leaves(n.left, out);
    leaves(n.right, out);
  }
  return out;
}

export function bareDraft(rng: Rng, o: GeneratorOptions, operations: number): Draft | null {
  const tree = grow(rng, o, operations, o.allowNegative);
  if (tree === null) return null;
  const lines: string[] = [];
  const ops: Operator[] = [];
  solve(tree, lines, ops);
  return {
    text: rng.pick(PROMPTS).replace('{e}', print(tree)),
    lines,
    answer: tree.value,
    operations,
    operands: leaves(tree, []),
    kinds: ops,
  };
}
