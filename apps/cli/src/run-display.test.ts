import { describe, expect, it } from 'vitest';
import { createRunDisplay } from './run-display';

/** A stream the test reads back, and a clock it moves by hand. */
function fake(isTTY: boolean): { out: string[]; stream: { isTTY: boolean; write(s: string): boolean; columns: number; rows: number }; clock: { t: number }; now: () => number } {
  const out: string[] = [];
  const clock = { t: 1_000 };
  const stream = { isTTY, columns: 200, rows: 40, write: (s: string) => out.push(s) > 0, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true };
  return { out, stream, clock, now: () => clock.t };
}

describe('sieve run display', () => {
  it('off a terminal: plain lines prefixed by the stage id, one instance never mixed into another', () => {
    const f = fake(false);
    const d = createRunDisplay({ stream: f.stream, now: f.now, intervalMs: 1_000 });
    const a = d.progress('train sft/s1', 10, 'train:sft/s1');
    const b = d.progress('train dft/s1', 20, 'train:dft/s1');
    f.clock.t += 2_000;
    a.update(4, { loss: '0.500' });
    b.update(5, { loss: '0.700' });
    d.log('train:sft/s1: final loss 0.4');
    expect(f.out).toEqual([
      'train:sft/s1: 4/10 (40%) | loss 0.500 | 2.00/s | eta 3s\n',
      'train:dft/s1: 5/20 (25%) | loss 0.700 | 2.50/s | eta 6s\n',
      'train:sft/s1: final loss 0.4\n',
    ]);
  });

  it('on a terminal: one bar per running instance with its id, rate and figures; a last line when it stops', () => {
    const f = fake(true);
    const d = createRunDisplay({ stream: f.stream, now: f.now });
    const a = d.progress('train sft/s1', 10, 'train:sft/s1');
    const b = d.progress('eval base', 32, 'eval:base');
    f.clock.t += 2_000;
    a.update(4, { loss: '0.500' });
    b.update(16, { loss: '0.700' });
    a.stop(); // redraws the bars that remain
    const bars = f.out.join('');
    expect(bars).toMatch(/eval:base \[[█░]{20}\] 16\/32 50% \| 8\.00\/s \| eta \S+ \| loss 0\.700/);
    expect(bars).not.toMatch(/train:sft\/s1 \[/); // a stopped instance has no bar
    b.stop();
    const text = f.out.join('');
    expect(text).toContain('train:sft/s1: 4/10 in 2s (2.00/s) | loss 0.500\n');
    expect(f.out.at(-1)).toBe('eval:base: 16/32 in 2s (8.00/s) | loss 0.700\n');
  });
});
