/** The prompt-format flags of `sieve sample`, `sieve train` and `sieve eval`: --prompt, --system-prompt. */
import { Option, type Command } from 'commander';
import { PROMPT_FORMATS, promptSpec, type PromptFormat, type PromptSpec } from '@sieve/dataset';

export interface PromptFlags {
  prompt?: PromptFormat;
  systemPrompt?: string;
}

/** Adds the flags; `defaultText` says what applies when they are left out. */
export function promptOptions(cmd: Command, defaultText = 'plain'): Command {
  return cmd
    .addOption(
      new Option(
        '--prompt <format>',
        `prompt format: plain ("Q: …\\nA: ", BOS when the tokenizer adds one) or chat (the model's chat template over [system?, user: question], ` +
          `response ending with its end-of-turn token, e.g. Qwen's <|im_end|>; needs a Hugging Face model, hf:PATH) (default: ${defaultText})`,
      ).choices([...PROMPT_FORMATS]),
    )
    .option('--system-prompt <text>', 'system message of the chat prompt format (needs --prompt chat)');
}

/** The spec the flags give, or undefined when neither flag was given. @throws InputError for --system-prompt without --prompt chat. */
export function promptFromFlags(o: PromptFlags): PromptSpec | undefined {
  if (o.prompt === undefined && o.systemPrompt === undefined) return undefined;
  return promptSpec(o.prompt, o.systemPrompt, '--system-prompt');
}
