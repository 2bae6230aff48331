import { deadLetterStoreContract } from './dead-letter-store.contract';
import { InMemoryDeadLetterStore } from './in-memory-dead-letter-store';

describe('InMemoryDeadLetterStore', () => {
  // "reopening" an in-memory store is reaching the same object again
  const store = new InMemoryDeadLetterStore();
  deadLetterStoreContract(async () => Object.assign(store, { close: async () => undefined }));
});
