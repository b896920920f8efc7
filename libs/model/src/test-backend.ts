/** For tests only: the wasm backend when it initialises here, else cpu. */
import { initBackend, type BackendInfo } from './backend';

export async function useTestBackend(): Promise<BackendInfo> {
  try {
    return await initBackend({ prefer: 'wasm' });
  } catch {
    return await initBackend({ prefer: 'cpu' });
  }
}
