/**
 * The one prompt format shared by sampling, training and evaluation. A character-level model
 * reads it, so it stays short. Bump PROMPT_FORMAT_VERSION whenever formatPrompt changes, so
 * datasets and checkpoints made with another format can be told apart.
 */
export const PROMPT_FORMAT_VERSION = 1;

/** `Q: <question>\nA: `: the model continues with a GSM8K-style solution ending in `#### N`. */
export function formatPrompt(questionText: string): string {
  return `Q: ${questionText}\nA: `;
}
