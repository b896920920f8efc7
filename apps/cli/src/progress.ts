import type { TrainProgress } from '@sieve/train';
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests),
 * so stdout stays clean for data.
 */
export function createProgress(label: string, total: number, extra = ''): Progress {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}${extra ? ` | ${extra}` : ''}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done, payload) => bar.update(done, payload ?? {}),
    stop: () => bar.stop(),
  };
}

/** A progress bar with step, loss, tokens/s and learning rate (stderr, terminals only). */
export function trainProgressBar(label: string, steps: number): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  const bar = createProgress(label, steps, 'loss {loss} | {tps} tok/s | lr {lr}');
  return {
    onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(4), tps: Math.round(p.tokensPerSecond), lr: p.lr.toExponential(2) }),
    stop: () => bar.stop(),
  };
}
