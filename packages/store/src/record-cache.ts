import type { BatchOp } from './group-commit';

/**
 * The stored text of recently written or read records, so that a report's read of its
 * worker and of its mirror's status costs no LevelDB read. Only one process writes a LevelDB
 * (its lock), and every write of the store passes `applied()` once written, so an entry is
 * the stored text. At most `capacity` entries; the least recently written or filled go
 * first.
 *
 * A read that missed fills its entry only when no batch was applied since the read began
 * (`generation`): a read that raced a write must not put back the text that write replaced.
 */
export class RecordCache {
  private readonly texts = new Map<string, string>();
  private applies = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): string | undefined {
    return this.texts.get(key);
  }

  /** Changes whenever a batch is applied; give it to `fill()`. */
  get generation(): number {
    return this.applies;
  }

  /**
   * Keeps the text a read found, unless a batch was applied since `generation` or the cache
   * is full (a scan of more records than it holds would only churn it).
   */
  fill(key: string, text: string, generation: number): void {
    if (generation !== this.applies || this.texts.size >= this.capacity) return;
    if (!this.texts.has(key)) this.set(key, text);
  }

  /** Takes in a written batch, in its order. */
  applied(ops: BatchOp[]): void {
    this.applies += 1;
    for (const op of ops) {
      if (op.type === 'put') this.set(op.key, op.value);
      else this.texts.delete(op.key);
    }
  }

  private set(key: string, text: string): void {
    this.texts.delete(key);
    this.texts.set(key, text);
    if (this.texts.size > this.capacity) {
      const oldest = this.texts.keys().next();
      if (!oldest.done) this.texts.delete(oldest.value);
    }
  }
}
