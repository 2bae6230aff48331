import { checkpointStoreContract } from './checkpoint-store.contract';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';

describe('InMemoryCheckpointStore', () => {
  // "reopening" an in-memory store is reaching the same object again
  const store = new InMemoryCheckpointStore();
  checkpointStoreContract(async () => store);

  it('hands out copies, so a caller mutating a loaded value does not move the checkpoint', async () => {
    await store.save('copy', { position: 1 });
    const loaded = await store.load<{ position: number }>('copy');
    if (loaded) loaded.position = 99;
    await expect(store.load('copy')).resolves.toEqual({ position: 1 });
  });
});
