import type { Platform, PeelServer } from '../../platform/context.ts';

export async function shareRoutes(_app: PeelServer, _platform: Platform): Promise<void> {}
