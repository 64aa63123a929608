/**
 * Schema validation errors in plain words. Ajv and the strict body validator say where by a
 * JSON pointer into the request (`body/hash must NOT have fewer than 66 characters`); a client
 * reads `field "hash" must be at least 66 characters long` instead, for every route alike.
 */

const WHERE: Record<string, { whole: string; part: string }> = {
  body: { whole: 'the request body', part: 'field' },
  querystring: { whole: 'the query string', part: 'query parameter' },
  params: { whole: 'the path', part: 'path parameter' },
  headers: { whole: 'the headers', part: 'header' },
};

const ARTICLE: Record<string, string> = { integer: 'an integer', array: 'an array', object: 'an object' };

/** `3/amount` -> `[3].amount`. */
function fieldName(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The predicate in plain words: `must NOT have fewer than 66 characters` -> `must be at least 66 characters long`. */
function plainPredicate(rest: string): string {
  const rules: [RegExp, (...m: string[]) => string][] = [
    [/^must NOT have fewer than (\d+) characters$/, (n) => `must be at least ${n} characters long`],
    [/^must NOT have more than (\d+) characters$/, (n) => `must be at most ${n} characters long`],
    [/^must NOT have fewer than (\d+) items$/, (n) => `must have at least ${n} items`],
    [/^must NOT have more than (\d+) items$/, (n) => `must have at most ${n} items`],
    [/^must be >= (\S+)$/, (n) => `must be at least ${n}`],
    [/^must be <= (\S+)$/, (n) => `must be at most ${n}`],
    [/^must be (string|number|boolean|integer|array|object)$/, (t) => `must be ${ARTICLE[t] ?? `a ${t}`}`],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(rest);
    if (m) return say(...m.slice(1));
  }
  return rest;
}

/** Rewrites one validation message; a message in another shape is returned as it is. */
export function plainValidationMessage(message: string): string {
  const m = /^(body|querystring|params|headers)((?:\/[^\s/]+)*) (.+)$/.exec(message);
  if (!m) return message;
  const where = WHERE[m[1]!]!;
  const path = m[2]!.split('/').filter((s) => s !== '');
  const rest = m[3]!;
  const subject = (segments: readonly string[]): string =>
    segments.length === 0 ? where.whole : `${where.part} "${fieldName(segments)}"`;
  const required = /^must have required property '(.+)'$/.exec(rest);
  if (required) return `${subject([...path, required[1]!])} is missing`;
  const extra = /^must NOT have additional propert(?:y|ies)(?: '(.+)')?$/.exec(rest);
  if (extra) {
    return extra[1] === undefined
      ? `${subject(path)} has a field it does not take`
      : `${subject([...path, extra[1]])} is not one this route takes`;
  }
  return `${subject(path)} ${plainPredicate(rest)}`;
}
