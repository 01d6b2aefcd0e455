import type { Logger } from '@tunasync/api-types';
import type { StoreChange, StoreListener } from './store';

/**
 * The listeners of a store's changes (`Store.onChange`): each is told every change, in
 * order; one that throws is logged and the others are still told.
 */
export class ChangeListeners {
  private readonly listeners = new Set<StoreListener>();

  /** `copy`: each listener gets its own copy of the change (for changes built from shared data). */
  constructor(
    private readonly logger: Logger,
    private readonly copy = false,
  ) {}

  add(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  clear(): void {
    this.listeners.clear();
  }

  emit(change: StoreChange): void {
    for (const listener of this.listeners) {
      try {
        listener(this.copy ? structuredClone(change) : change);
      } catch (err) {
        this.logger.error(
          `store listener failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}
