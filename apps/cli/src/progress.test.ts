import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from './progress';

/** A non-terminal stream and a clock the test moves by hand. */
function fake(): { lines: string[]; stream: { isTTY: false; write(s: string): boolean }; clock: { t: number }; now: () => number } {
  const lines: string[] = [];
  const clock = { t: 1_000 };
  return { lines, stream: { isTTY: false, write: (s) => lines.push(s) > 0 }, clock, now: () => clock.t };
}

describe('progress when stderr is not a terminal', () => {
  it('prints a plain line every interval with done/total, the stage figures, rate and ETA', () => {
    const f = fake();
    const p = createProgress('pretrain base', 1200, 'loss {loss} | {tps} tok/s', { stream: f.stream, now: f.now });
    f.clock.t += 4_000;
    p.update(40, { loss: '2.310', tps: 1500 });
    expect(f.lines).toEqual([]); // under 10 s: nothing yet
    f.clock.t += 6_000; // 10 s in, 100 steps done: 10 steps/s, 1100 left → 110 s
    p.update(100, { loss: '1.875', tps: 1520 });
    expect(f.lines).toEqual(['pretrain base: 100/1200 (8%) | loss 1.875 | 1520 tok/s | 10/s | eta 1m50s\n']);
    f.clock.t += 5_000;
    p.update(150, { loss: '1.7', tps: 1490 });
    expect(f.lines.length).toBe(1); // steady interval: not again until 10 s after the last line
    f.clock.t += 5_000; // 20 s, 200 done: 10/s, 1000 left → 100 s
    p.update(200, { loss: '1.6', tps: 1500 });
    expect(f.lines[1]).toBe('pretrain base: 200/1200 (16%) | loss 1.6 | 1500 tok/s | 10/s | eta 1m40s\n');
    f.clock.t += 100_000;
    p.update(1200, { loss: '0.204', tps: 1510 });
    p.stop();
    expect(f.lines[3]).toBe('pretrain base: 1200/1200 (100%) | loss 0.204 | 1510 tok/s | 10/s | took 2m00s\n');
  });

  it('shows payload figures the format does not name, unknown totals as a count, and stays silent for short stages', () => {
    const f = fake();
    const p = createProgress('train sft/s1', 30, '', { stream: f.stream, now: f.now, intervalMs: 1_000 });
    f.clock.t += 4_000;
    p.update(3, { loss: '0.5' });
    expect(f.lines).toEqual(['train sft/s1: 3/30 (10%) | loss 0.5 | 0.75/s | eta 36s\n']);

    const g = fake();
    const q = createProgress('grading', 0, '', { stream: g.stream, now: g.now });
    g.clock.t += 20_000;
    q.update(5000);
    expect(g.lines).toEqual(['grading: 5000 done | 250/s\n']);

    const h = fake();
    const r = createProgress('verify', 10, '', { stream: h.stream, now: h.now });
    h.clock.t += 500;
    r.update(10);
    r.stop();
    expect(h.lines).toEqual([]);
  });

  it('formats durations', () => {
    expect([formatDuration(7), formatDuration(65), formatDuration(3725), formatDuration(NaN)]).toEqual(['7s', '1m05s', '1h02m05s', '?']);
  });
});
