/** One operation of an atomic LevelDB batch. */
export type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/** Writes one atomic batch; `sync`: flushed to disk (fsync) before it resolves. */
export type BatchWriter = (ops: BatchOp[], sync: boolean) => Promise<void>;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface PendingBatch {
  ops: BatchOp[];
  sync: boolean;
  waiters: Waiter[];
}

/**
 * Group commit: the writes asked for while a batch is being written (or within one turn of
 * the event loop when none is) are gathered into the next batch, written at once as one
 * atomic batch with one fsync when any of them asked for `sync`. Each `commit()` resolves
 * once its batch is written (and flushed, when any write in it asked for that); when a
 * batch fails, every write gathered into it rejects with that error. Operations keep the
 * order of the `commit()` calls, within a batch and from batch to batch, so the later of two
 * writes to one key wins.
 */
export class GroupCommit {
  private pending: PendingBatch | undefined;
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly write: BatchWriter,
    private readonly defer: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  commit(ops: BatchOp[], sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const batch = (this.pending ??= { ops: [], sync: false, waiters: [] });
      for (const op of ops) batch.ops.push(op);
      batch.sync ||= sync;
      batch.waiters.push({ resolve, reject });
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        this.defer(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending && !this.writing) {
      const batch = this.pending;
      this.pending = undefined;
      this.writing = true;
      try {
        await this.write(batch.ops, batch.sync);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (err) {
        for (const waiter of batch.waiters) waiter.reject(err);
      } finally {
        this.writing = false;
      }
    }
  }
}
