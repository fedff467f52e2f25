import type { Simplify, UnionToIntersection } from 'type-fest'

/**
 * Types of the typed resource API: doctype maps, typed filters, typed `fields` and the results they select.
 */

/** Any document: field name → value. */
export type AnyDoc = { readonly [field: string]: unknown }

/**
 * What a doctype map is: an object type mapping doctype names to document types (as read). The client
 * defaults to the Education map `DocTypeMap` of `@edusync/doctype-schemas`; pass your own (for example
 * that map extended with your custom doctypes) as the client's type parameter.
 *
 * @example
 * ```ts
 * import type { DocTypeMap } from '@edusync/doctype-schemas'
 * interface MyDocTypes extends DocTypeMap {
 *   'Library Member': { name: string; modified: string; member_name: string }
 * }
 * const client = createClient<MyDocTypes>({ url, auth })
 * ```
 */
export type DocTypeMapLike = object

/** The document type of doctype `K` in map `M`. */
export type DocOf<M extends DocTypeMapLike, K extends keyof M> = M[K] extends object ? M[K] : AnyDoc

/** The map used when none is given: every doctype is an untyped document. */
export type UntypedDocTypeMap = { readonly [doctype: string]: AnyDoc }

/** Doctype names of a map. */
export type DocTypeName<M extends DocTypeMapLike> = Extract<keyof M, string>

/** Field names of a document whose values are child-table rows. */
export type TableField<D> = {
  [K in keyof D & string]-?: NonNullable<D[K]> extends readonly (infer R)[]
    ? R extends object
      ? K
      : never
    : never
}[keyof D & string]

/** Field names of a document holding plain values (not child tables). */
export type ValueField<D> = Exclude<keyof D & string, TableField<D>>

/** The row type of a child-table field. */
export type ChildRow<D, K extends keyof D> = NonNullable<D[K]> extends readonly (infer R)[] ? R : never

/** Frappe's comparison operators (case-insensitive on the server; lower case here). */
export type ComparisonOperator = '=' | '!=' | '>' | '<' | '>=' | '<='

/** Every filter operator Frappe accepts. */
export type FilterOperator =
  | ComparisonOperator
  | 'like'
  | 'not like'
  | 'in'
  | 'not in'
  | 'is'
  | 'between'
  | 'timespan'
  | 'previous'
  | 'next'
  | 'descendants of'
  | 'not descendants of'
  | 'ancestors of'
  | 'not ancestors of'
  | 'descendants of (inclusive)'

/** Values of the `timespan` operator. */
export type Timespan =
  | 'last week'
  | 'last month'
  | 'last quarter'
  | 'last 6 months'
  | 'last year'
  | 'yesterday'
  | 'today'
  | 'tomorrow'
  | 'this week'
  | 'this month'
  | 'this quarter'
  | 'this year'
  | 'next week'
  | 'next month'
  | 'next quarter'
  | 'next 6 months'
  | 'next year'
  | `last ${number} days`
  | `next ${number} days`

/** The plain value type of a field (its type without null, arrays and objects), used by filters. */
export type FilterScalar<V> =
  Exclude<NonNullable<V>, readonly unknown[] | object> extends never
    ? string | number
    : Exclude<NonNullable<V>, readonly unknown[] | object>

/** The value a filter with operator `O` on a field of value type `V` takes. */
export type FilterValue<V, O extends FilterOperator> = O extends ComparisonOperator
  ? FilterScalar<V>
  : O extends 'like' | 'not like'
    ? string
    : O extends 'in' | 'not in'
      ? readonly FilterScalar<V>[]
      : O extends 'is'
        ? 'set' | 'not set'
        : O extends 'between'
          ? readonly [FilterScalar<V>, FilterScalar<V>]
          : O extends 'timespan'
            ? Timespan
            : O extends 'previous' | 'next'
              ? `${number} ${'day' | 'days' | 'week' | 'weeks' | 'month' | 'months' | 'quarter' | 'quarters' | 'year' | 'years'}`
              : string

/** `[field, operator, value]` on a field of `D`. */
export type FilterTuple<D> = {
  [F in ValueField<D>]: { [O in FilterOperator]: readonly [F, O, FilterValue<D[F], O>] }[FilterOperator]
}[ValueField<D>]

/** `[childDoctype, field, operator, value]`: a filter on a child table's column (4-element form). */
export type ChildFilterTuple<M extends DocTypeMapLike> = {
  [C in DocTypeName<M>]: {
    [F in ValueField<DocOf<M, C>>]: {
      [O in FilterOperator]: readonly [C, F, O, FilterValue<DocOf<M, C>[F], O>]
    }[FilterOperator]
  }[ValueField<DocOf<M, C>>]
}[DocTypeName<M>]

/** The object form: `{ status: 'Open' }` (equals) or `{ qty: ['>', 5] }`. */
export type FilterObject<D> = {
  readonly [F in ValueField<D>]?:
    | FilterScalar<D[F]>
    | { [O in FilterOperator]: readonly [O, FilterValue<D[F], O>] }[FilterOperator]
}

/** Filters on doctype `D` of map `M`: the object form, or a list of 3- and 4-element tuples. */
export type Filters<M extends DocTypeMapLike, D> =
  | FilterObject<D>
  | readonly (FilterTuple<D> | ChildFilterTuple<M>)[]

/** One `fields` entry: a field, `*`, `table_field.child_field`, or `field as alias`. */
export type FieldSelector<D> =
  | '*'
  | ValueField<D>
  | { [T in TableField<D>]: `${T}.${ValueField<ChildRow<D, T>> & string}` }[TableField<D>]
  | `${ValueField<D>} as ${string}`

/** The part of a row one `fields` entry `S` contributes (`name`, `t.c`, `x as y`, `*`). */
export type SelectedField<D, S> = S extends '*'
  ? { [K in ValueField<D>]: D[K] }
  : S extends `${infer F} as ${infer A}`
    ? F extends keyof D
      ? { [K in A]: D[F] }
      : never
    : S extends `${infer T}.${infer C}`
      ? T extends TableField<D>
        ? C extends keyof ChildRow<D, T>
          ? { [K in C]: ChildRow<D, T>[C] | null }
          : never
        : never
      : S extends keyof D
        ? { [K in S]: D[S] }
        : never

/** The row type a list with `fields` `S` returns (`{ name }` when no fields are given, as Frappe does). */
export type SelectResult<
  D,
  S extends readonly FieldSelector<D>[] | undefined,
> = S extends readonly (infer E)[]
  ? [E] extends [never]
    ? Simplify<SelectedField<D, 'name' & keyof D>>
    : Simplify<UnionToIntersection<SelectedField<D, E>>>
  : 'name' extends keyof D
    ? { name: D['name' & keyof D] }
    : { name: string }

/** A document to create: any subset of its fields (the server fills the rest or rejects missing ones). */
export type NewDoc<D> = { [K in keyof D]?: D[K] extends readonly (infer R)[] ? readonly Partial<R>[] : D[K] }

/** A partial update; a child table sent replaces the whole table (Frappe's rule). */
export type DocPatch<D> = NewDoc<D>
