/** Writing a large binary file atomically: nothing half-written is ever left at `file`. */
import * as fs from 'node:fs';
import { SieveError } from '@sieve/core';

/** Writes all of `bytes` at the descriptor's position (writeSync may write less than asked). */
export function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Calls `write(fd)` on a temp file beside `file`, fsyncs it and renames it over `file`; on any error
 * the temp file is removed and the error rethrown (a non-SieveError wrapped, naming the file).
 */
export function writeAtomically(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    write(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err instanceof SieveError ? err : new SieveError(`could not write ${file}`, { where: file, cause: err, hint: 'check the disk space and permissions' });
  }
  fs.renameSync(tmp, file);
}
