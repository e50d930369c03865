import { PeregrineError } from './errors.js';

/**
 * A named registry of components. Each component registers itself next to its class, so adding one touches its
 * own folder and one import line. Duplicate names throw at load time.
 */
export class Registry<T extends { readonly type: string }> {
  private readonly items = new Map<string, T>();

  constructor(private readonly kind: string) {}

  register(item: T): T {
    if (this.items.has(item.type)) throw new Error(`${this.kind} "${item.type}" is registered twice`);
    this.items.set(item.type, item);
    return item;
  }

  has(type: string): boolean {
    return this.items.has(type);
  }

  get(type: string): T {
    const item = this.items.get(type);
    if (!item) {
      throw new PeregrineError('PGN_ERR_UNKNOWN_COMPONENT', `unknown ${this.kind} "${type}"`, {
        hint: `choose one of: ${this.names().join(', ')}`,
      });
    }
    return item;
  }

  names(): string[] {
    return [...this.items.keys()].sort();
  }

  all(): T[] {
    return this.names().map((n) => this.items.get(n) as T);
  }
}
