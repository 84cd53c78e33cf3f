/**
 * The schema DSL: one declaration per Kafka message covering every version we support, in
 * the spirit of Kafka's own message JSON. The codec compiles it; the TypeScript types of
 * messages are inferred from it, so schema and types cannot drift apart.
 */

/** `'3+'` = version 3 and later, `'1-4'` = 1 to 4 inclusive, `'2'` = only version 2. */
export type VersionRange = `${number}+` | `${number}-${number}` | `${number}`;

export type IntegerType = 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64';
export type ScalarType = IntegerType | 'float64' | 'bool' | 'string' | 'bytes' | 'uuid';
export type FieldType = ScalarType | `${ScalarType}[]` | 'records' | 'array' | 'struct';

export interface FieldDef {
  /** camelCase; the property name in the message object. */
  readonly name: string;
  readonly type: FieldType;
  /** Versions that carry the field; omitted = every version of the API. */
  readonly versions?: VersionRange;
  /** Versions in which the field may be null; a nullable field's value type includes null. */
  readonly nullableVersions?: VersionRange;
  /** Value when absent from a version (or from the tagged section); else 0, '', false, []. */
  readonly default?: number | string | boolean | null;
  /** Tagged field number (KIP-482): only written in flexible versions, and only if not default. */
  readonly tag?: number;
  /** Element fields of an `array` of structs, or the fields of a `struct`. */
  readonly fields?: readonly FieldDef[];
}

export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  readonly validVersions: readonly [number, number];
  /** First flexible (compact encodings, tagged fields) version, or null if none we support. */
  readonly flexibleVersions: number | null;
  readonly request: readonly FieldDef[];
  readonly response: readonly FieldDef[];
}

type ScalarValue<T> = T extends 'bool'
  ? boolean
  : T extends 'string' | 'uuid'
    ? string
    : T extends 'bytes'
      ? Buffer
      : number;

type FieldsOf<F extends FieldDef> = F['fields'] extends readonly FieldDef[] ? F['fields'] : [];

type BaseValue<F extends FieldDef> = F['type'] extends 'array'
  ? MessageOf<FieldsOf<F>>[]
  : F['type'] extends 'struct'
    ? MessageOf<FieldsOf<F>>
    : F['type'] extends 'records'
      ? Buffer | null
      : F['type'] extends `${infer Item}[]`
        ? ScalarValue<Item>[]
        : ScalarValue<F['type']>;

type ValueOf<F extends FieldDef> = F extends { nullableVersions: string }
  ? BaseValue<F> | null
  : BaseValue<F>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The decoded form: every field present (absent versions give defaults). */
export type MessageOf<Fields extends readonly FieldDef[]> = Simplify<{
  -readonly [F in Fields[number] as F['name']]: ValueOf<F>;
}>;

/** Fields that may be left out when encoding: version-limited, defaulted or tagged. */
type Optional<F extends FieldDef> = F extends { versions: string } | { default: unknown } | { tag: number }
  ? true
  : false;

type InputBase<F extends FieldDef> = F['type'] extends 'array'
  ? InputOf<FieldsOf<F>>[]
  : F['type'] extends 'struct'
    ? InputOf<FieldsOf<F>>
    : BaseValue<F>;

type InputValue<F extends FieldDef> = F extends { nullableVersions: string }
  ? InputBase<F> | null
  : InputBase<F>;

/** The form accepted by encoders: optional fields may be omitted and take their defaults. */
export type InputOf<Fields extends readonly FieldDef[]> = Simplify<
  {
    [F in Fields[number] as Optional<F> extends true ? never : F['name']]: InputValue<F>;
  } & {
    [F in Fields[number] as Optional<F> extends true ? F['name'] : never]?: InputValue<F>;
  }
>;

export type RequestOf<S extends ApiSchema> = MessageOf<S['request']>;
export type ResponseOf<S extends ApiSchema> = MessageOf<S['response']>;
export type RequestInput<S extends ApiSchema> = InputOf<S['request']>;
export type ResponseInput<S extends ApiSchema> = InputOf<S['response']>;
