import type { Document, DocumentCreate, DocumentUpdate } from '../spec';

type Position = { c: string; i: string };

const compare = (a: Position, b: Position) => (a.c < b.c ? -1 : a.c > b.c ? 1 : a.i < b.i ? -1 : a.i > b.i ? 1 : 0);

/**
 * Documents in memory, listed in the contract's stable order: `created_at`, then `id`.
 * Cursors are opaque (base64url JSON of the last position), so pages stay stable while
 * documents are created or deleted between calls.
 */
export class DocumentStore {
  readonly #documents = new Map<string, Document>();
  #lastTime = 0;

  constructor(private readonly now: () => number) {}

  /** RFC 3339 UTC; strictly increasing, so creation order is kept even within one millisecond. */
  #timestamp(): string {
    this.#lastTime = Math.max(this.now(), this.#lastTime + 1);
    return new Date(this.#lastTime).toISOString();
  }

  create(input: DocumentCreate): Document {
    const at = this.#timestamp();
    const id = `doc_${crypto.randomUUID().replaceAll('-', '')}`;
    const document: Document = {
      id,
      title: input.title,
      content: input.content,
      metadata: { ...(input.metadata ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.#documents.set(id, document);
    return document;
  }

  get(id: string): Document | undefined {
    return this.#documents.get(id);
  }

  update(id: string, patch: DocumentUpdate): Document | undefined {
    const current = this.#documents.get(id);
    if (!current) return undefined;
    const next: Document = {
      ...current,
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.content !== undefined && { content: patch.content }),
      ...(patch.metadata !== undefined && { metadata: { ...patch.metadata } }),
      updated_at: this.#timestamp(),
    };
    this.#documents.set(id, next);
    return next;
  }

  delete(id: string): boolean {
    return this.#documents.delete(id);
  }

  get size(): number {
    return this.#documents.size;
  }

  /** One page after `cursor`; `null` when the cursor is not one of ours. */
  list(limit: number, cursor?: string): { data: Document[]; next_cursor: string | null } | null {
    let after: Position | undefined;
    if (cursor !== undefined) {
      const decoded = decodeCursor(cursor);
      if (!decoded) return null;
      after = decoded;
    }
    const sorted = [...this.#documents.values()].sort((a, b) =>
      compare({ c: a.created_at, i: a.id }, { c: b.created_at, i: b.id }),
    );
    const rest = after ? sorted.filter((d) => compare({ c: d.created_at, i: d.id }, after) > 0) : sorted;
    const data = rest.slice(0, limit);
    const last = data.at(-1);
    const next_cursor = rest.length > limit && last ? encodeCursor({ c: last.created_at, i: last.id }) : null;
    return { data, next_cursor };
  }

  clear(): void {
    this.#documents.clear();
  }
}

function encodeCursor(position: Position): string {
  return btoa(JSON.stringify(position)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function decodeCursor(cursor: string): Position | null {
  try {
    const value = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    return typeof value?.c === 'string' && typeof value?.i === 'string' ? { c: value.c, i: value.i } : null;
  } catch {
    return null;
  }
}
