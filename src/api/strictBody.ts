/**
 * A strict validator for request bodies, driven by the same JSON schema that documents them.
 *
 * Fastify's default Ajv coerces types (`"amount": 150` would pass as the string "150", and
 * `"nonce": "5"` as 5). That is right for query strings and path parameters, which are
 * always text, but wrong for JSON bodies: a number where OurCoin wants a decimal string may
 * already have lost precision in JSON.parse. Bodies are therefore checked here, without
 * coercion, against a small subset of JSON Schema; a schema using anything outside that
 * subset is refused when the route is built, so the documentation cannot silently drift
 * from what is enforced. Errors name the field, like Ajv's: `body/3/amount must be string`.
 */

type Schema = Readonly<Record<string, unknown>>;

const ASSERTIONS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'anyOf',
  'enum',
]);
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'deprecated']);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

export type StrictValidator = (data: unknown) => true | { error: Error };

function isSchema(s: unknown): s is Schema {
  return typeof s === 'object' && s !== null && !Array.isArray(s);
}

/** Throws (at route build time) if `schema` uses a keyword this validator does not enforce. */
function assertSupported(schema: unknown, path: string): asserts schema is Schema {
  if (!isSchema(schema)) throw new Error(`strict body schema at ${path}: expected an object`);
  for (const key of Object.keys(schema)) {
    if (!ASSERTIONS.has(key) && !ANNOTATIONS.has(key))
      throw new Error(`strict body schema at ${path}: unsupported keyword "${key}"`);
  }
  if (schema.type !== undefined && (typeof schema.type !== 'string' || !TYPES.has(schema.type))) {
    throw new Error(`strict body schema at ${path}: type must be one of ${[...TYPES].join(', ')}`);
  }
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') {
    throw new Error(`strict body schema at ${path}: additionalProperties must be a boolean`);
  }
  if (isSchema(schema.properties))
    for (const [k, v] of Object.entries(schema.properties)) assertSupported(v, `${path}/${k}`);
  if (schema.items !== undefined) assertSupported(schema.items, `${path}/items`);
  if (schema.anyOf !== undefined) {
    if (!Array.isArray(schema.anyOf)) throw new Error(`strict body schema at ${path}: anyOf must be an array`);
    const types = schema.anyOf.map((branch: unknown, i) => {
      assertSupported(branch, `${path}/anyOf/${i}`);
      if (typeof branch.type !== 'string')
        throw new Error(`strict body schema at ${path}: each anyOf branch needs a type`);
      return branch.type;
    });
    // Branches are chosen by the value's JSON type, so each type may appear only once.
    if (new Set(types).size !== types.length)
      throw new Error(`strict body schema at ${path}: anyOf branches must have distinct types`);
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(type: string, v: unknown): boolean {
  const actual = jsonType(v);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** The first problem with `v` against `s`, or undefined. */
function check(s: Schema, v: unknown, path: string): string | undefined {
  if (Array.isArray(s.anyOf)) {
    const branches = s.anyOf as Schema[];
    const branch = branches.find((b) => matchesType(b.type as string, v));
    if (!branch)
      return `${path} must be ${branches.map((b) => (b.type === 'object' ? 'an object' : `an ${String(b.type)}`)).join(' or ')}`;
    return check(branch, v, path);
  }
  if (typeof s.type === 'string' && !matchesType(s.type, v)) return `${path} must be ${s.type}`;
  if (Array.isArray(s.enum) && !s.enum.includes(v))
    return `${path} must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) return `${path} must be >= ${s.minimum}`;
    if (typeof s.maximum === 'number' && v > s.maximum) return `${path} must be <= ${s.maximum}`;
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && v.length < s.minLength)
      return `${path} must NOT have fewer than ${s.minLength} characters`;
    if (typeof s.maxLength === 'number' && v.length > s.maxLength)
      return `${path} must NOT have more than ${s.maxLength} characters`;
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems)
      return `${path} must NOT have fewer than ${s.minItems} items`;
    if (typeof s.maxItems === 'number' && v.length > s.maxItems)
      return `${path} must NOT have more than ${s.maxItems} items`;
    if (isSchema(s.items)) {
      for (let i = 0; i < v.length; i++) {
        const problem = check(s.items, v[i], `${path}/${i}`);
        if (problem) return problem;
      }
    }
  }
  if (jsonType(v) === 'object') {
    const o = v as Record<string, unknown>;
    const props = isSchema(s.properties) ? s.properties : {};
    if (Array.isArray(s.required)) {
      for (const name of s.required as string[])
        if (!Object.hasOwn(o, name)) return `${path} must have required property '${name}'`;
    }
    for (const [name, sub] of Object.entries(props)) {
      if (!Object.hasOwn(o, name)) continue;
      const problem = check(sub as Schema, o[name], `${path}/${name}`);
      if (problem) return problem;
    }
    if (s.additionalProperties === false) {
      const extra = Object.keys(o).find((k) => !Object.hasOwn(props, k));
      if (extra !== undefined) return `${path} must NOT have additional property '${extra}'`;
    }
  }
  return undefined;
}

/** Builds a non-coercing validator for `schema` (for a route's `validatorCompiler`). */
export function strictValidator(schema: unknown): StrictValidator {
  assertSupported(schema, 'body');
  return (data) => {
    const problem = check(schema, data, 'body');
    return problem === undefined ? true : { error: new Error(problem) };
  };
}
