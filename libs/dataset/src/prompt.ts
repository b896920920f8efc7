/**
 * The prompt of a question under a run's prompt format — the one definition sampling, training and
 * evaluation share:
 * - `plain`: the text `Q: <question>\nA: ` the model continues (a character-level model reads it, so
 *   it stays short); sieve adds BOS when the tokenizer wants one.
 * - `chat`: the messages `[system?, user: question]`, rendered by the model's chat template with the
 *   generation prompt (libs/model `encodeModelPrompt`), or sent as `messages` to an OpenAI-compatible
 *   /v1/chat/completions.
 * Bump PROMPT_FORMAT_VERSION whenever formatPrompt changes, so datasets and checkpoints made with
 * another format can be told apart.
 */
import { z } from 'zod';
import { InputError } from '@sieve/core';

export const PROMPT_FORMAT_VERSION = 1;

export const PROMPT_FORMATS = ['plain', 'chat'] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];
export const PromptFormatSchema = z.enum(PROMPT_FORMATS);

/** A run's prompt format; a system prompt only with `chat`. */
export type PromptSpec = { format: 'plain' } | { format: 'chat'; systemPrompt?: string };
export const PLAIN_PROMPT: PromptSpec = { format: 'plain' };

export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** A question's prompt as the engines take it: text to continue, or messages for a chat template. */
export type QuestionPrompt = { text: string } | { messages: PromptMessage[] };

/** `Q: <question>\nA: `: the model continues with a GSM8K-style solution ending in `#### N`. */
export function formatPrompt(questionText: string): string {
  return `Q: ${questionText}\nA: `;
}

/**
 * The spec from a format and an optional system prompt (config `model.prompt`/`model.systemPrompt`,
 * flags `--prompt`/`--system-prompt`).
 * @throws InputError naming `where` when a system prompt comes without the chat format.
 */
export function promptSpec(format: PromptFormat | undefined, systemPrompt: string | undefined, where = 'model.systemPrompt'): PromptSpec {
  if ((format ?? 'plain') === 'plain') {
    if (systemPrompt !== undefined) {
      throw new InputError('a system prompt needs the chat prompt format', { where, hint: 'set the prompt format to "chat" (model.prompt, --prompt chat), or drop the system prompt' });
    }
    return PLAIN_PROMPT;
  }
  return { format: 'chat', ...(systemPrompt !== undefined ? { systemPrompt } : {}) };
}

/** The prompt settings of a pipeline config's `model` section (`prompt`, `systemPrompt`; absent: plain). */
export interface ModelPromptConfig {
  prompt?: PromptFormat | undefined;
  systemPrompt?: string | undefined;
}

/** The spec a pipeline config's `model` section sets. @throws InputError when it has a system prompt without `chat`. */
export function modelPromptSpec(model: ModelPromptConfig): PromptSpec {
  return promptSpec(model.prompt, model.systemPrompt, 'config: model.systemPrompt');
}

/** The chat messages of a question: the system prompt (when set), then the question as the user. */
export function questionMessages(spec: PromptSpec, questionText: string): PromptMessage[] {
  const system = spec.format === 'chat' && spec.systemPrompt !== undefined ? [{ role: 'system' as const, content: spec.systemPrompt }] : [];
  return [...system, { role: 'user', content: questionText }];
}

/** What a dataset item stores as its prompt: plain, the text the model continues; chat, the user turn (the question). */
export function storedPrompt(spec: PromptSpec, questionText: string): string {
  return spec.format === 'plain' ? formatPrompt(questionText) : questionText;
}

/** The model's prompt for a stored prompt (`storedPrompt`'s inverse, with the system prompt put back). */
export function promptOfStored(spec: PromptSpec, stored: string): QuestionPrompt {
  return spec.format === 'plain' ? { text: stored } : { messages: questionMessages(spec, stored) };
}

/** The model's prompt for a question under the spec. */
export function questionPrompt(spec: PromptSpec, questionText: string): QuestionPrompt {
  return promptOfStored(spec, storedPrompt(spec, questionText));
}

/**
 * How a spec is recorded (a stage's slice, a sample run's params, a dataset's rules, an evaluation's
 * settings): nothing for plain, so records made before the chat format existed keep their fingerprints.
 */
export function promptRecord(spec: PromptSpec): { prompt?: PromptSpec } {
  return spec.format === 'plain' ? {} : { prompt: spec };
}

const RecordedSchema = z.union([z.strictObject({ format: z.literal('plain') }), z.strictObject({ format: z.literal('chat'), systemPrompt: z.string().optional() })]);

/** The spec a record holds (`promptRecord`'s inverse; no `prompt` key = plain). @throws InputError when it is malformed. */
export function recordedPrompt(record: Readonly<Record<string, unknown>>, where: string): PromptSpec {
  if (record['prompt'] === undefined) return PLAIN_PROMPT;
  const res = RecordedSchema.safeParse(record['prompt']);
  if (!res.success) throw new InputError(`unreadable prompt format ${JSON.stringify(record['prompt'])}`, { where });
  return res.data.format === 'plain' ? PLAIN_PROMPT : promptSpec('chat', res.data.systemPrompt);
}

/** One line for messages: `plain`, `chat`, or `chat (system prompt "…")`. */
export function describePrompt(spec: PromptSpec): string {
  return spec.format === 'plain' ? 'plain' : spec.systemPrompt === undefined ? 'chat' : `chat (system prompt ${JSON.stringify(spec.systemPrompt)})`;
}
