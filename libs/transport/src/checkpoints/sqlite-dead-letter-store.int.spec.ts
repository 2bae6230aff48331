import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterStoreContract } from './dead-letter-store.contract';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

describe('SqliteDeadLetterStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-dead-letters-'));
  const file = join(dir, 'consumers.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  deadLetterStoreContract(async () => new SqliteDeadLetterStore({ file }));
});
