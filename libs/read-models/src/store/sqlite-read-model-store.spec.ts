import { readModelStoreContract } from '../testing';
import { SqliteReadModelStore } from './sqlite-read-model-store';

describe('SqliteReadModelStore (contract)', () => {
  readModelStoreContract(() => SqliteReadModelStore.open('', ':memory:'));
});
