/**
 * A stack of layers of values. Lookups fall through from the newest layer to the oldest,
 * so a hook can `enter()` a layer, override a value for one run, and `exit()` to restore
 * what was there before.
 */
export class LayeredContext<V extends object> {
  private readonly layers: Partial<V>[];

  constructor(base: Partial<V> = {}) {
    this.layers = [{ ...base }];
  }

  /** Push a new, empty layer (optionally pre-filled). */
  enter(values: Partial<V> = {}): this {
    this.layers.push({ ...values });
    return this;
  }

  /** Pop the newest layer. The base layer can never be removed. */
  exit(): this {
    if (this.layers.length > 1) this.layers.pop();
    return this;
  }

  /** Set a value in the newest layer. */
  set<K extends keyof V>(key: K, value: V[K]): this {
    (this.layers[this.layers.length - 1] as Partial<V>)[key] = value;
    return this;
  }

  /** The value from the newest layer that has it, or undefined. */
  get<K extends keyof V>(key: K): V[K] | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i] as Partial<V>;
      if (Object.prototype.hasOwnProperty.call(layer, key)) return layer[key] as V[K];
    }
    return undefined;
  }

  /** How many layers are above the base one. */
  get depth(): number {
    return this.layers.length - 1;
  }
}
