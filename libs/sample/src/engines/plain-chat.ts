/**
 * Chat messages as plain text for sieve's built-in model, which has no chat template: each user turn
 * in the prompt format it was trained on (`formatPrompt`: "Q: …\nA: "), assistant turns as their
 * text and a newline, system text first. One user message renders exactly as the sample stage's
 * prompt. A checkpoint with a chat template (Hugging Face) renders messages with it instead (tfjs.ts).
 */
import { InputError } from '@sieve/core';
import { formatPrompt, type ChatMessage } from '@sieve/dataset';

export function renderPlainChat(messages: readonly ChatMessage[]): string {
  if (!messages.some((m) => m.role === 'user')) {
    throw new InputError('messages need at least one user message', { where: 'messages', hint: 'e.g. [{"role":"user","content":"What is 3+4?"}]' });
  }
  let out = '';
  for (const m of messages) {
    if (m.role === 'system') out += `${m.content}\n`;
    else if (m.role === 'user') out += formatPrompt(m.content);
    else out += `${m.content}\n`;
  }
  return out;
}
