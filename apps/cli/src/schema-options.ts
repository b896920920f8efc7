/**
 * CLI flags from an options schema: `batchSize` becomes `--batch-size <n>`, with the schema's
 * description and default in its help. Values are converted here and validated by the schema
 * where the library parses them, so config files, flags and defaults share one definition.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { floatOption, intOption } from './parse';

const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

interface JsonProp {
  type?: string;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

/**
 * Adds one flag per scalar key of `schema` (nested objects and arrays are skipped), except `skip`.
 * `defaults` overrides a default shown in the help (the value still comes from the library when the flag is absent).
 */
export function addSchemaOptions(cmd: Command, schema: z.ZodObject, opts: { skip?: readonly string[]; defaults?: Record<string, unknown> } = {}): Command {
  const props = (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp> }).properties ?? {};
  for (const [key, p] of Object.entries(props)) {
    if (opts.skip?.includes(key)) continue;
    const flag = flagOf(key);
    const dflt = opts.defaults?.[key] ?? p.default;
    const help = `${p.description ?? key}${dflt !== undefined ? ` (default: ${String(dflt)})` : ''}`;
    if (p.type === 'integer') cmd.addOption(new Option(`${flag} <n>`, help).argParser(intOption(flag, p.minimum ?? Number.MIN_SAFE_INTEGER, p.maximum)));
    else if (p.type === 'number') cmd.addOption(new Option(`${flag} <x>`, help).argParser(floatOption(flag)));
    else if (p.type === 'boolean') cmd.addOption(new Option(flag, help));
    else if (p.type === 'string') cmd.addOption(new Option(`${flag} <value>`, help));
  }
  return cmd;
}

/** The values of the flags that `addSchemaOptions` added for `schema` and the user gave. */
export function schemaValues<S extends z.ZodObject>(schema: S, flags: Record<string, unknown>): Partial<z.input<S>> {
  return Object.fromEntries(Object.keys(schema.shape).filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]])) as Partial<z.input<S>>;
}
