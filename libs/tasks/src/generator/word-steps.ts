import type { Rng } from '@sieve/core';
import { annotate, isValidStep, sampleBetween, sampleRightOperand } from './arith';
import type { GeneratorOptions, Operator } from './options';
import { capitalize, type Person, type Scene } from './vocab';

/** The running story: `v` items of one scene owned by person `p`; `f` is a friend. */
export interface Story {
  rng: Rng;
  o: GeneratorOptions;
  p: Person;
  f: Person;
  s: Scene;
  v: number;
  sentences: string[];
  lines: string[];
  operands: number[];
  operations: number;
}

/** One kind of sentence. `apply` returns false (and changes nothing) if it cannot fit the story. */
export interface StepKind {
  name: string;
  role: 'start' | 'middle' | 'end';
  ops: Operator[];
  apply(st: Story): boolean;
}

/** "Mia" sometimes, "she" otherwise, capitalized when it opens a sentence. */
function who(st: Story, opening: boolean): string {
  const w = st.rng.next() < 0.35 ? st.p.name : st.p.sub;
  return opening ? capitalize(w) : w;
}

/** Annotated a op b; counts the operation. */
function calc(st: Story, a: number, op: Operator, b: number): { value: number; text: string } {
  st.operations++;
  return annotate(a, op, b);
}

function fill(st: Story, templates: readonly string[], vars: Record<string, string | number>): string {
  const all: Record<string, string | number> = {
    P: st.p.name, F: st.f.name, sub: st.p.sub, Sub: capitalize(st.p.sub), obj: st.p.obj, pos: st.p.pos,
    item: st.s.item, items: st.s.items, container: st.s.container, containers: st.s.containers, get: st.s.get, use: st.s.use,
    Who: who(st, true), ...vars,
  };
  return st.rng.pick(templates).replace(/\{(\w+)\}/g, (_, k: string) => String(all[k] ?? `{${k}}`));
}

const valid = (st: Story, a: number, op: Operator, b: number) => isValidStep(a, op, b, st.o, false);
const fresh = (st: Story, op: Operator) => sampleRightOperand(st.rng, st.o, st.v, op, false);
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** v op b in one sentence: q is the question text, l the solution line around the annotation. */
function single(name: string, role: StepKind['role'], op: Operator, q: readonly string[], l: readonly string[]): StepKind {
  return {
    name, role, ops: [op],
    apply(st) {
      const b = fresh(st, op);
      if (b === null) return false;
      st.sentences.push(fill(st, q, { b }));
      const c = calc(st, st.v, op, b);
      st.lines.push(fill(st, l, { calc: c.text }));
      st.operands.push(b);
      st.v = c.value;
      return true;
    },
  };
}

/** a containers of b items each (a*b), then added to or taken from v. */
function groups(name: string, op: '+' | '-', q: readonly string[], l1: readonly string[], l2: readonly string[]): StepKind {
  return {
    name, role: 'middle', ops: ['*', op],
    apply(st) {
      const cap = op === '+' ? st.o.maxValue - st.v : st.v;
      const a = sampleBetween(st.rng, st.o, 2, Math.floor(cap / 2));
      const b = a === null ? null : sampleBetween(st.rng, st.o, 2, Math.floor(cap / a));
      if (a === null || b === null || !valid(st, a, '*', b) || !valid(st, st.v, op, a * b)) return false;
      st.sentences.push(fill(st, q, { a, b }));
      const c1 = calc(st, a, '*', b);
      const c2 = calc(st, st.v, op, c1.value);
      st.lines.push(fill(st, l1, { calc: c1.text }), fill(st, l2, { calc: c2.text }));
      st.operands.push(a, b);
      st.v = c2.value;
      return true;
    },
  };
}

/** The friend has (v op b) items; how many together: two operations. */
function friendTotal(name: string, op: Operator, q: readonly string[]): StepKind {
  return {
    name, role: 'end', ops: [op, '+'],
    apply(st) {
      const b = fresh(st, op);
      if (b === null) return false;
      const fv = op === '+' ? st.v + b : op === '-' ? st.v - b : st.v * b;
      if (!valid(st, st.v, '+', fv)) return false;
      st.sentences.push(fill(st, q, { b }));
      const c1 = calc(st, st.v, op, b);
      const c2 = calc(st, st.v, '+', c1.value);
      st.lines.push(`${st.f.name} has ${c1.text} ${st.s.items}.`, `Together they have ${c2.text} ${st.s.items}.`);
      st.operands.push(b);
      st.v = c2.value;
      return true;
    },
  };
}

function startWith(name: string, op: Operator, q: readonly string[]): StepKind {
  return {
    name, role: 'start', ops: [op],
    apply(st) {
      const a = sampleBetween(st.rng, st.o, op === '*' ? 2 : 1, st.o.maxValue);
      const b = a === null ? null : sampleRightOperand(st.rng, st.o, a, op, false);
      if (a === null || b === null) return false;
      const d = st.rng.int(0, DAYS.length - 2);
      st.sentences.push(fill(st, q, { a, b, day1: DAYS[d] ?? '', day2: DAYS[d + 1] ?? '' }));
      const c = calc(st, a, op, b);
      st.lines.push(`${st.p.name} has ${c.text} ${st.s.items}.`);
      st.operands.push(a, b);
      st.v = c.value;
      return true;
    },
  };
}

export const STEP_KINDS: readonly StepKind[] = [
  {
    name: 'has', role: 'start', ops: [],
    apply(st) {
      const a = sampleBetween(st.rng, st.o, 1, st.o.maxValue);
      if (a === null) return false;
      st.sentences.push(fill(st, ['{P} has {a} {items}.', 'There are {a} {items} in {P}\'s room.', '{P} starts with {a} {items}.'], { a }));
      st.operands.push(a);
      st.v = a;
      return true;
    },
  },
  startWith('hasGroups', '*', ['{P} has {a} {containers} with {b} {items} in each.', '{P} has {a} {containers} of {items}, and each one holds {b} {items}.']),
  startWith('twoDays', '+', ['{P} {get} {a} {items} on {day1} and {b} {items} on {day2}.', '{P} has {a} {items}, and {F} gives {P} {b} more.']),
  startWith('rate', '*', ['{P} {get} {a} {items} every day for {b} days.', 'Every week {P} {get} {a} {items}. {Who} does this for {b} weeks.']),

  single('more', 'middle', '+',
    ['Then {sub} {get} {b} more {items}.', '{F} gives {P} {b} more {items}.', 'Later, {sub} {get} another {b} {items}.'],
    ['Now {sub} has {calc} {items}.', '{P} then has {calc} {items}.']),
  single('less', 'middle', '-',
    ['{Who} {use} {b} of them.', '{Who} gives {b} {items} to {F}.', 'Then {sub} {use} {b} {items}.'],
    ['{Sub} has {calc} {items} left.', 'That leaves {calc} {items}.']),
  single('times', 'middle', '*',
    ['A month later, {sub} has {b} times as many {items} as that.', 'By the end of the year, {P} has {b} times as many {items}.'],
    ['Then {sub} has {calc} {items}.', '{P} ends up with {calc} {items}.']),
  single('piles', 'middle', '/',
    ['{Who} puts the {items} into {b} equal piles and keeps only one pile.', '{Who} splits {pos} {items} into {b} equal groups and keeps one group.'],
    ['{Sub} keeps {calc} {items}.', 'One part has {calc} {items}.']),
  groups('buyGroups', '+', ['{Who} buys {a} {containers} with {b} {items} in each.', 'Then {F} gives {P} {a} {containers} of {b} {items} each.'],
    ['The {containers} hold {calc} {items}.', 'That is {calc} more {items}.'], ['Now {sub} has {calc} {items}.', '{P} has {calc} {items} in all.']),
  groups('giveGroups', '-', ['{Who} gives away {a} {containers} with {b} {items} in each.', '{Who} sells {a} {containers} of {b} {items} each.'],
    ['That is {calc} {items}.', '{Sub} gives up {calc} {items}.'], ['{Sub} has {calc} {items} left.', 'That leaves {calc} {items}.']),

  single('sell', 'end', '*',
    ['{Who} sells each {item} for ${b}. How many dollars does {sub} make?', '{Who} sells all of them for ${b} each. How much money, in dollars, does {sub} get?'],
    ['{Sub} makes {calc} dollars.', '{P} gets {calc} dollars.']),
  single('share', 'end', '/',
    ['{Who} shares them equally among {b} friends. How many {items} does each friend get?', '{Who} packs them into {b} {containers} with the same number in each. How many {items} are in each {container}?'],
    ['Each one gets {calc} {items}.', 'Each part has {calc} {items}.']),
  single('compare', 'end', '-',
    ['{F} has {b} {items}. How many more {items} does {P} have than {F}?'],
    ['{P} has {calc} more {items}.']),
  friendTotal('friendMore', '+', ['{F} has {b} more {items} than {P}. How many {items} do they have together?']),
  friendTotal('friendFewer', '-', ['{F} has {b} fewer {items} than {P}. How many {items} do they have in total?']),
  friendTotal('friendTimes', '*', ['{F} has {b} times as many {items} as {P}. How many {items} do they have altogether?']),
];

export const CLOSING_QUESTIONS = ['How many {items} does {P} have now?', 'How many {items} does {sub} have at the end?', 'How many {items} does {P} have in the end?'];
export const fillStory = fill;
