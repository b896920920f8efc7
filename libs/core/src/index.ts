export { SieveError, InputError, formatError, exitCodeOf, type SieveErrorOptions } from './errors';
export { createRng, mixSeed, shuffleInPlace, type Rng } from './rng';
export { stableStringify, sha256, fingerprint } from './hash';
