import type { DocumentChange, StoredDocument } from '../store/port';

/**
 * Documents a rebuild has recently written, so the next batch need not read and parse them again.
 * Only safe for a writer that owns its collections (a rebuild generation nobody else writes);
 * bounded, dropping the least recently used document first.
 */
export class DocumentCache {
  private readonly documents = new Map<string, StoredDocument | null>();

  constructor(private readonly capacity: number) {}

  /** the cached document, null when known to be absent, undefined when not cached */
  get(collection: string, id: string): StoredDocument | null | undefined {
    const key = `${collection}\u0000${id}`;
    const document = this.documents.get(key);
    if (document !== undefined) {
      this.documents.delete(key);
      this.documents.set(key, document);
    }
    return document;
  }

  remember(collection: string, id: string, document: StoredDocument | null): void {
    const key = `${collection}\u0000${id}`;
    this.documents.delete(key);
    this.documents.set(key, document);
    if (this.documents.size > this.capacity) {
      const oldest = this.documents.keys().next().value as string;
      this.documents.delete(oldest);
    }
  }

  rememberChanges(changes: readonly DocumentChange[]): void {
    for (const c of changes) this.remember(c.collection, c.id, c.body === null ? null : { id: c.id, position: c.position, body: c.body });
  }
}
