import cliProgress from 'cli-progress';
import { formatBytes } from './format.js';

export interface ProgressBar {
  /** Sets the bytes done so far (and the total, once it is known). */
  update(done: number, total?: number): void;
  /** Marks the bar finished. */
  done(): void;
}

export interface Progress {
  bar(label: string, total: number | undefined): ProgressBar;
  stop(): void;
}

const silent: Progress = { bar: () => ({ update() {}, done() {} }), stop() {} };

/**
 * Byte progress bars on stderr (cli-progress). On a terminal they redraw in place; elsewhere (`--progress` into a
 * pipe or a log) they print a line every quarter second.
 */
export function createProgress(stream: NodeJS.WriteStream, enabled: boolean): Progress {
  if (!enabled) return silent;
  const isTTY = stream.isTTY === true;
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {doneBytes} / {totalBytes} | {speed}',
      barsize: 30,
      hideCursor: isTTY,
      noTTYOutput: !isTTY,
      notTTYSchedule: 250,
      fps: 10,
      autopadding: true,
      emptyOnZero: true,
      forceRedraw: !isTTY,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar(label, total) {
      const started = Date.now();
      let knownTotal = total ?? 0;
      const payload = (done: number) => {
        const seconds = (Date.now() - started) / 1000;
        return {
          label,
          doneBytes: formatBytes(done),
          totalBytes: knownTotal ? formatBytes(knownTotal) : '?',
          speed: seconds > 0.2 ? `${formatBytes(done / seconds)}/s` : '',
        };
      };
      const bar = multibar.create(knownTotal, 0, payload(0));
      let last = 0;
      return {
        update(done, newTotal) {
          if (newTotal !== undefined && newTotal !== knownTotal) {
            knownTotal = newTotal;
            bar.setTotal(newTotal);
          }
          last = done;
          bar.update(done, payload(done));
        },
        done() {
          if (!knownTotal) bar.setTotal(last);
          bar.update(knownTotal || last, payload(knownTotal || last));
          multibar.update();
        },
      };
    },
    stop() {
      multibar.stop();
    },
  };
}
