/**
 * What `sieve run` shows while stages run side by side (`--jobs N`): on a terminal one line per
 * running instance — stage id, bar, step/total, rate, eta and the stage's own figures — redrawn in
 * place by cli-progress's MultiBar, with log lines printed above the bars (never through them); off
 * a terminal (CI, pipes, `> run.log`) plain lines prefixed by the stage id, at most one per instance
 * every ~10 s (progress.ts's line mode).
 */
import cliProgress from 'cli-progress';
import { createProgress, formatDuration, type Progress, type ProgressOptions, type ProgressStream } from './progress';

export interface RunDisplay {
  log(line: string): void;
  /** A progress line for instance `id` (`label` is the stage's own name for it). */
  progress(label: string, total: number, id: string): Progress;
}

/** `info`'s figures as "name value" pairs (loss 0.123 …). */
const figures = (info: Record<string, string | number>): string =>
  Object.entries(info)
    .map(([k, v]) => `${k} ${v}`)
    .join(' | ');

const rateOf = (done: number, secs: number): string => {
  const r = secs > 0 ? done / secs : 0;
  return r >= 10 ? String(Math.round(r)) : r.toFixed(2);
};

export function createRunDisplay(opts: ProgressOptions = {}): RunDisplay {
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  if (!stream.isTTY) {
    return {
      log: (line) => void stream.write(`${line}\n`),
      progress: (_label, total, id) => createProgress(id, total, '', { ...opts, stream }),
    };
  }
  let multi: cliProgress.MultiBar | null = null;
  const bars = new Set<cliProgress.SingleBar>();
  const open = (): cliProgress.MultiBar =>
    (multi ??= new cliProgress.MultiBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: '{id} [{bar}] {value}/{total} {percentage}% | {rate}/s | eta {eta_formatted}{extra}',
        hideCursor: true,
        clearOnComplete: true,
        gracefulExit: false, // Ctrl-C is `sieve run`'s to handle (it stops the children)
        etaBuffer: 50,
        barsize: 20,
      },
      cliProgress.Presets.shades_classic,
    ));
  return {
    log: (line) => {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    progress: (_label, total, id) => {
      const start = now();
      const bar = open().create(total, 0, { id, rate: '0', extra: '' });
      bars.add(bar);
      let done = 0;
      let info: Record<string, string | number> = {};
      return {
        update: (d, p) => {
          done = d;
          if (p) info = { ...info, ...p };
          const extra = figures(info);
          bar.update(d, { id, rate: rateOf(d, (now() - start) / 1000), extra: extra ? ` | ${extra}` : '' });
        },
        stop: () => {
          if (!bars.delete(bar) || !multi) return;
          const secs = (now() - start) / 1000;
          multi.remove(bar);
          const extra = figures(info);
          const last = `${id}: ${done}/${total} in ${formatDuration(secs)} (${rateOf(done, secs)}/s)${extra ? ` | ${extra}` : ''}\n`;
          if (bars.size > 0) return multi.log(last);
          multi.stop(); // remove() above flushed the log lines; this clears the bars
          multi = null;
          stream.write(last);
        },
      };
    },
  };
}
