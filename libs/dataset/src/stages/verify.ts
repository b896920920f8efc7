/** The verify stage: a verdict for every sample of the RFT sample run. */
import { z } from 'zod';
import { defineStage } from '@sieve/core';
import type { RunEnv } from '@sieve/store';
import { verifySamples } from '../verify-stage';

/** `verify` in a pipeline config. */
export const VerifyOptionsSchema = z.strictObject({
  verifier: z.string().default('numeric').describe('registered verifier that grades the samples'),
});
export type VerifyOptions = z.output<typeof VerifyOptionsSchema>;

export const VERIFY_STAGE = defineStage<RunEnv, { verify: VerifyOptions }, VerifyOptions, Record<string, never>>({
  name: 'verify',
  summary: 'grade every sample against its gold answer',
  instances: () => [{ key: '', inputs: { samples: 'sample' } }],
  select: (cfg) => cfg.verify,
  outputs: () => ({}),
  run: async ({ env, slice, input }) => {
    const res = verifySamples(env.store, { runName: input('samples', 'runName'), verifier: slice.verifier });
    return { ...res.counts, verified: res.verified };
  },
});
