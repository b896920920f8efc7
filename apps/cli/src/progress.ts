import type { TrainProgress } from '@sieve/train';
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** Where progress goes: stderr unless a test gives another. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Milliseconds; injected by tests (default performance.now). */
  now?: () => number;
  /** Not a terminal: one plain line at most this often (default 10 s), and a last one at the end. */
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 10_000;

/** 3725 s → "1h02m05s", 65 → "1m05s", 7 → "7s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(s % 60)}s`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s % 60}s`;
}

/** `extra`'s {name} fields filled from the payload; payload fields it does not name follow as "name value". */
function figures(extra: string, payload: Record<string, string | number>): string[] {
  const used = new Set<string>();
  const filled = extra.replace(/\{(\w+)\}/g, (_, k: string) => {
    used.add(k);
    return String(payload[k] ?? '?');
  });
  const rest = Object.entries(payload)
    .filter(([k]) => !used.has(k))
    .map(([k, v]) => `${k} ${v}`);
  return [...(filled ? [filled] : []), ...rest];
}

/**
 * Plain progress lines for logs, CI and nohup (no cursor movement, nothing redrawn): the figures a
 * bar would show — done/total and %, the stage's own figures (loss, tokens/s…), items/s and ETA —
 * at most every `intervalMs`, plus a last line at stop() if any was printed (a short stage prints none).
 */
function lineProgress(label: string, total: number, extra: string, stream: ProgressStream, now: () => number, intervalMs: number): Progress {
  const start = now();
  let last = start;
  let printed = false;
  let done = 0;
  let payload: Record<string, string | number> = {};
  const line = (final: boolean): string => {
    const secs = (now() - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const parts = [total > 0 ? `${done}/${total} (${Math.floor((100 * done) / total)}%)` : `${done} done`, ...figures(extra, payload)];
    parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(2)}/s`);
    if (final) parts.push(`took ${formatDuration(secs)}`);
    else if (total > 0) parts.push(`eta ${rate > 0 ? formatDuration((total - done) / rate) : '?'}`);
    return `${label}: ${parts.join(' | ')}\n`;
  };
  return {
    update: (d, p) => {
      done = d;
      if (p) payload = { ...payload, ...p };
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      printed = true;
      stream.write(line(false));
    },
    stop: () => {
      if (printed) stream.write(line(true));
    },
  };
}

/**
 * A progress bar on stderr when it is a terminal; otherwise (pipes, CI, `> run.log`) a plain line
 * every ~10 s, so a long stage is never silent. stdout stays clean for data either way.
 */
export function createProgress(label: string, total: number, extra = '', opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return lineProgress(label, total, extra, stream, opts.now ?? (() => performance.now()), opts.intervalMs ?? DEFAULT_INTERVAL_MS);
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
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

/** Progress of a training run: step, loss, tokens/s and learning rate (a bar on a terminal, plain lines otherwise). */
export function trainProgressBar(label: string, steps: number): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  const bar = createProgress(label, steps, 'loss {loss} | {tps} tok/s | lr {lr}');
  return {
    onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(4), tps: Math.round(p.tokensPerSecond), lr: p.lr.toExponential(2) }),
    stop: () => bar.stop(),
  };
}
