import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '@sieve/core';
import { loadPipelineConfig, type PipelineConfig } from './config';

/** data/presets/ of this checkout. */
export const presetsDir = fileURLToPath(new URL('../../../data/presets/', import.meta.url));

export function listPresets(): string[] {
  return existsSync(presetsDir)
    ? readdirSync(presetsDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort()
    : [];
}

export function loadPreset(name: string): PipelineConfig {
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !listPresets().includes(name)) {
    throw new InputError(`unknown preset "${name}"`, { where: '--preset', hint: `presets: ${listPresets().join(', ')} (or pass --config FILE)` });
  }
  return loadPipelineConfig(join(presetsDir, `${name}.json`));
}
