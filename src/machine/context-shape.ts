// `assign` copies the context on every update. On Node 20 an object literal of known keys
// copies ~10x faster than `Object.assign({}, ctx)` or `{ ...ctx }` (measured ~12 ns vs
// ~100-150 ns for six keys), so each key list seen gets a generated fixed-shape copier.
// Results equal XState's `Object.assign({}, context, partial)`, key order included,
// for contexts with string keys (symbol keys are not copied: contexts are plain data).

type Context = Record<string, unknown>;
type Copier = (context: Context) => Context;

/** Distinct key lists per machine before falling back to Object.assign: bounds generated code. */
const MAX_SHAPES = 64;

class Shape {
  private readonly index: ReadonlySet<string>;
  private readonly extended = new Map<string, Shape>();

  constructor(
    readonly keys: readonly string[],
    readonly copy: Copier,
  ) {
    this.index = new Set(keys);
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** The shape after `key` is appended; null once the machine's budget is spent. */
  extend(key: string, shapes: ContextShapes): Shape | null {
    const cached = this.extended.get(key);
    if (cached !== undefined) return cached;
    const next = shapes.shapeFor([...this.keys, key]);
    if (next !== null) this.extended.set(key, next);
    return next;
  }
}

function compileCopier(keys: readonly string[]): Copier | null {
  // `__proto__` in a literal sets the prototype instead of defining a key.
  if (keys.includes('__proto__')) return null;
  const body = keys.map((k) => `${JSON.stringify(k)}: c[${JSON.stringify(k)}]`).join(', ');
  try {
    return new Function('c', `return { ${body} };`) as Copier;
  } catch {
    // Code generation disabled (--disallow-code-generation-from-strings): copy generically.
    return null;
  }
}

/**
 * Whether `context`'s own keys are `keys`, in order. `for in` walks V8's cached key list
 * without allocating, where `Object.keys` copies it: with many connections stepping in
 * turn the context is rarely the one just produced, so this runs on most assigns. `for in`
 * also yields inherited keys, so any other prototype than a plain object's takes the slow
 * path (as does an enumerable key added to Object.prototype: it makes the walk differ).
 */
function hasExactly(context: Context, keys: readonly string[]): boolean {
  if (Object.getPrototypeOf(context) !== Object.prototype) return false;
  let i = 0;
  for (const key in context) if (key !== keys[i++]) return false;
  return i === keys.length;
}

/** One per compiled machine: the copiers for the context shapes it has produced. */
export class ContextShapes {
  /** Key list (joined) -> its shape, or null where the generic copy is used. */
  private readonly shapes = new Map<string, Shape | null>();
  private last: Shape | null = null;
  // The context most recently produced here and its shape: consecutive assigns in one
  // step skip re-reading the keys (contexts are immutable by contract).
  private lastOut: object | null = null;
  private lastOutShape: Shape | null = null;

  shapeFor(keys: readonly string[]): Shape | null {
    const id = keys.join('\u0000');
    const known = this.shapes.get(id);
    if (known !== undefined) return known;
    if (this.shapes.size >= MAX_SHAPES) return null;
    const copy = compileCopier(keys);
    const shape = copy === null ? null : new Shape(keys, copy);
    this.shapes.set(id, shape);
    return shape;
  }

  private shapeOf(context: Context): Shape | null {
    if (context === this.lastOut) return this.lastOutShape;
    const last = this.last;
    if (last !== null && hasExactly(context, last.keys)) return last;
    const shape = this.shapeFor(Object.keys(context));
    if (shape !== null) this.last = shape;
    return shape;
  }

  private produced(context: Context, shape: Shape | null): Context {
    this.lastOut = context;
    this.lastOutShape = shape;
    return context;
  }

  /** `Object.assign({}, context, partial)`. */
  merge(context: unknown, partial: unknown): Context {
    const ctx = context as Context;
    let shape = this.shapeOf(ctx);
    if (shape === null) return Object.assign({}, ctx, partial);
    const next = shape.copy(ctx);
    if (partial === null || typeof partial !== 'object') return this.produced(next, shape);
    const update = partial as Context;
    const keys = Object.keys(update);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      next[key] = update[key];
      if (shape !== null && !shape.has(key)) shape = shape.extend(key, this);
    }
    return this.produced(next, shape);
  }

  /**
   * Object-form `assign`: `values[i]` is a constant or `(args, params) => value`, and every
   * function sees `args` (built on the old context), as XState's object form does.
   */
  mergeProperties(
    context: unknown,
    keys: readonly string[],
    values: readonly unknown[],
    args: { readonly context: unknown; readonly event: unknown },
    params: unknown,
  ): Context {
    const ctx = context as Context;
    let shape = this.shapeOf(ctx);
    const next = shape === null ? Object.assign({}, ctx) : shape.copy(ctx);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = values[i];
      next[key] =
        typeof value === 'function' ? (value as (a: typeof args, p: unknown) => unknown)(args, params) : value;
      if (shape !== null && !shape.has(key)) shape = shape.extend(key, this);
    }
    return this.produced(next, shape);
  }
}
