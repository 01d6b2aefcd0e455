import type { AlertClaim, AlertOutcome, AlertQueue, AlertRecord } from './alert-queue';
import { claimedAlert, compareAlerts, decodeAlertRecord, settledAlert } from './alert-queue';

/**
 * What a backend gives the alert queue: one JSON text per alert id, and a compare-and-swap
 * on it (atomic against every other writer of the same database).
 */
export interface AlertCells {
  get(id: string): Promise<string | undefined>;
  /** Writes `next` when the stored text is `expected` (undefined: absent); true when written. */
  swap(id: string, expected: string | undefined, next: string): Promise<boolean>;
  /** Every stored `[id, text]`. */
  all(): Promise<Array<[string, string]>>;
  delete(ids: string[]): Promise<number>;
  /** A text that is not an alert record: the backend's `badRecord` error. */
  bad(id: string, problem: string): Error;
}

/** Giving up after this many lost compare-and-swaps of one alert in a row. */
const MAX_SWAPS = 50;

/** The `AlertQueue` of a backend, built on its `AlertCells` (one logic for every store). */
export class CellAlertQueue implements AlertQueue {
  constructor(private readonly cells: AlertCells) {}

  private decode(id: string, text: string): AlertRecord {
    let raw: unknown;
    try {
      raw = JSON.parse(text) as unknown;
    } catch {
      throw this.cells.bad(id, 'not JSON');
    }
    const record = decodeAlertRecord(raw);
    if (typeof record === 'string') throw this.cells.bad(id, record);
    return record;
  }

  addAlert(record: AlertRecord): Promise<boolean> {
    return this.cells.swap(record.id, undefined, JSON.stringify(record));
  }

  /** Reads, computes the next record, swaps it in; again when another writer came first. */
  private async change(
    id: string,
    next: (record: AlertRecord) => AlertRecord | undefined,
  ): Promise<AlertRecord | undefined> {
    for (let i = 0; i < MAX_SWAPS; i += 1) {
      const text = await this.cells.get(id);
      if (text === undefined) return undefined;
      const changed = next(this.decode(id, text));
      if (changed === undefined) return undefined;
      if (await this.cells.swap(id, text, JSON.stringify(changed))) return changed;
    }
    return undefined;
  }

  claimAlert(id: string, claim: AlertClaim): Promise<AlertRecord | undefined> {
    return this.change(id, (record) => claimedAlert(record, claim));
  }

  async settleAlert(id: string, owner: string, outcome: AlertOutcome): Promise<boolean> {
    return (await this.change(id, (record) => settledAlert(record, owner, outcome))) !== undefined;
  }

  async listAlerts(): Promise<AlertRecord[]> {
    const records: AlertRecord[] = [];
    for (const [id, text] of await this.cells.all()) records.push(this.decode(id, text));
    return records.sort(compareAlerts);
  }

  deleteAlerts(ids: string[]): Promise<number> {
    return ids.length === 0 ? Promise.resolve(0) : this.cells.delete(ids);
  }
}
