/** The verify stage: a verdict for every sample of the RFT sample run. */
import { z } from 'zod';
import { defineStage } from '@sieve/core';
import type { RunEnv } from '@sieve/store';
import { verifySamples } from '../verify-stage';

/** `verify` in a pipeline config. */
export const VerifyOptionsSchema = z.strictObject({
  verifier: z
    .string()
    .min(1)
    .optional()
    .describe("registered verifier that grades every sample; unset: each question's set's own (recorded at import, else numeric)"),
});
export type VerifyOptions = z.output<typeof VerifyOptionsSchema>;

export const VERIFY_STAGE = defineStage<RunEnv, { verify: VerifyOptions }, VerifyOptions, Record<string, never>>({
  name: 'verify',
  summary: 'grade every sample against its gold answer',
  instances: () => [{ key: '', inputs: { samples: 'sample' } }],
  select: (cfg) => cfg.verify,
  outputs: () => ({}),
  run: async ({ env, slice, input }) => {
    // Unset, the verifier comes from the questions: an input of this stage (a question's meta never
    // changes once stored), so the slice (the override or its absence) and the inputs fingerprint it.
    const res = verifySamples(env.store, { runName: input('samples', 'runName'), ...(slice.verifier ? { verifier: slice.verifier } : {}) });
    return { ...res.counts, verified: res.verified };
  },
});
