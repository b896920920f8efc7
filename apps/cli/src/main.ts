import { exitCodeOf, formatError } from '@sieve/core';
import { CommanderError } from 'commander';
import { buildProgram } from './program';

// `sieve … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// The one top-level handler: every error ends here, is printed once, and sets the exit code.
async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help); usage errors exit 2, help/version 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${formatError(err)}\n`);
    if (process.env['SIEVE_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
