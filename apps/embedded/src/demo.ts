import { randomUUID } from 'node:crypto';
import { type ImportRegisterRowResult, RegistryCommands } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { generateRegister, type ImportReport, readRegisterFile, registerCsv, runImport } from '@liangxin/register-import';

/** Shangrao ETDZ (DOMAIN.md, 004): 436 enterprises, 136 with party members, 52 with a standalone branch. */
export const DEMO_DISTRICT = { district: '361102', enterprises: 436, withMembers: 136, standalone: 52 } as const;

/**
 * `npm run demo`: on an empty store, the demo district's register imported through the import path (each row an
 * ImportRegisterRow command to the registry, formation reacting as it would to a real file). A store that already
 * holds events is left alone, so the demo flag is harmless on the second start.
 */
export async function seedDemoDistrict(store: EventStore, send: (pattern: string, envelope: object) => Promise<{ result?: ImportRegisterRowResult }>): Promise<ImportReport | undefined> {
  if ((await store.headPosition()) > 0) return undefined;
  const file = await readRegisterFile(registerCsv(generateRegister(DEMO_DISTRICT)), 'demo-shangrao.csv');
  return runImport(
    file,
    async (message, commandId) => {
      const reply = await send(RegistryCommands.ImportRegisterRow, { payload: message, scope: { role: 'admin', districts: 'all' }, metadata: { actor: 'system:demo', commandId, correlationId: randomUUID(), reason: 'import' } });
      if (!reply.result) throw new Error('the registry answered an imported row without its outcome');
      return reply.result;
    },
    { fileName: 'demo-shangrao.csv', concurrency: 32 },
  );
}
