/** JSON columns: objects in, objects out. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? {});
}

export function fromJson<T = Record<string, unknown>>(text: string | null | undefined): T {
  if (text === null || text === undefined || text === '') return {} as T;
  return JSON.parse(text) as T;
}

export function nowIso(): string {
  return new Date().toISOString();
}
