/**
 * A dataset's kept items as the trainer exports see them, and how their prompts are rendered:
 * `plain` gives the trainer sieve's own prompt text ("Q: …\nA: ", see formatPrompt) to continue
 * with no template; `chat` gives it messages to render with the model's chat template.
 */
import { InputError } from '@sieve/core';
import type { DatasetRow, Store } from '@sieve/store';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TrainerItem {
  /** The prompt as sieve formatted it for the model (plain style). */
  prompt: string;
  /** The bare question text (null for imported items with no question in the store). */
  question: string | null;
  /** The accepted response (the chosen one of a pair). */
  response: string;
  /** The rejected response of a pair (pairs datasets, imported pairs); null otherwise. */
  rejected: string | null;
}

/**
 * The hook for chat prompts: `messages` turns an item into the prompt messages (system/user),
 * the exports append the response as the assistant turn.
 */
export type PromptStyle = { kind: 'plain' } | { kind: 'chat'; messages: (item: TrainerItem) => ChatMessage[] };

/** A chat style that asks the bare question as the user (falls back to the plain prompt for imported items). */
export function questionAsUser(system?: string): PromptStyle {
  return {
    kind: 'chat',
    messages: (it) => [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: it.question ?? it.prompt }],
  };
}

const PAGE = 1000;

/** Every kept item of the dataset, in id order; a pairs dataset must have a rejected response on each. */
export function trainerItems(store: Store, d: DatasetRow): TrainerItem[] {
  const out: TrainerItem[] = [];
  const questions = new Map<number, string | null>();
  const questionText = (id: number | null): string | null => {
    if (id === null) return null;
    if (!questions.has(id)) questions.set(id, store.questions.get(id)?.text ?? null);
    return questions.get(id) ?? null;
  };
  for (let offset = 0; ; offset += PAGE) {
    const page = store.datasets.items(d.id, { kept: true, limit: PAGE, offset });
    for (const it of page) {
      const rejected = it.rejectedResponse ?? null;
      if (d.kind === 'pairs' && rejected === null) {
        throw new InputError(`item ${it.id} of pairs dataset ${d.name} v${d.version} has no rejected response`, {
          where: `${d.name} v${d.version}`,
          hint: 'rebuild the dataset with `sieve filter --kind pairs`',
        });
      }
      out.push({ prompt: it.prompt, question: questionText(it.questionId), response: it.response, rejected });
    }
    if (page.length < PAGE) return out;
  }
}

