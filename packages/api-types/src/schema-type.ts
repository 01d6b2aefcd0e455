/*
 * The TypeScript type of a JSON Schema written `as const`, for the subset the config schemas
 * use: `type` (one name or a list), `enum`, `items`, `properties` (every key optional, as in
 * a TOML file), `additionalProperties` as a schema (a table of named tables) and
 * `$ref: '#/definitions/<name>'`. The doc comment of a schema's property shows on the
 * derived property (a homomorphic mapped type keeps it), so the schema is the one place of
 * a key: its type, its checks and its documentation.
 */

type Definitions = Record<string, unknown>;

/** What one `type` name means for schema `S`. */
type TypeNamed<Name, S, D extends Definitions> = Name extends 'string'
  ? string
  : Name extends 'integer' | 'number'
    ? number
    : Name extends 'boolean'
      ? boolean
      : Name extends 'null'
        ? null
        : Name extends 'array'
          ? S extends { items: infer I }
            ? FromSchema<I, D>[]
            : unknown[]
          : Name extends 'object'
            ? ObjectOf<S, D>
            : never;

type ObjectOf<S, D extends Definitions> = S extends { properties: infer P }
  ? { -readonly [K in keyof P]?: FromSchema<P[K], D> }
  : S extends { additionalProperties: infer A }
    ? A extends boolean
      ? Record<string, unknown>
      : Record<string, FromSchema<A, D>>
    : Record<string, unknown>;

/** The type of the values schema `S` accepts (`D`: the definitions `$ref` points into). */
export type FromSchema<S, D extends Definitions = Definitions> = S extends {
  $ref: `#/definitions/${infer Name}`;
}
  ? Name extends keyof D
    ? FromSchema<D[Name], D>
    : unknown
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: infer T }
      ? T extends readonly (infer Each)[]
        ? TypeNamed<Each, S, D>
        : TypeNamed<T, S, D>
      : unknown;

/** The type of a schema with its own `definitions` (`$ref`s resolve there). */
export type FromRootSchema<S> = S extends { definitions: infer D extends Definitions }
  ? FromSchema<S, D>
  : FromSchema<S>;
