/** For tests only: `SIEVE_BACKEND` when set, else the wasm backend when it initialises here, else cpu. */
import { initBackend, type BackendInfo } from './backend';

export async function useTestBackend(): Promise<BackendInfo> {
  if (process.env['SIEVE_BACKEND']) return await initBackend();
  try {
    return await initBackend({ prefer: 'wasm' });
  } catch {
    return await initBackend({ prefer: 'cpu' });
  }
}
