// auth-plug's query strings made into parameterised statements. auth-plug wrote `$1` / `$2` for PostgreSQL and
// printf-style `'%s'` / `%d` for MySQL (substituted into the text: injectable); sqlite used `?`. Here each
// placeholder becomes a driver parameter, quotes around `%s` / `%d` included, so a username or topic is
// never part of the SQL text whatever the configured query looks like.

/** What a placeholder stands for: the username, or the access value (1 read, 2 write, 4 subscribe). */
export type QueryParam = 'username' | 'access';

export interface PreparedQuery {
  /** The SQL with the driver's placeholders. */
  readonly text: string;
  /** The value of each placeholder, in order. */
  readonly params: readonly QueryParam[];
  /** True when the query takes the access value ($2, %d, a second ?). */
  readonly usesAccess: boolean;
}

/** Placeholders, longest first: quoted printf forms, printf forms, $n, and '?'. */
const PLACEHOLDER = /'%s'|"%s"|'%d'|"%d"|%s|%d|\$(\d+)|\?/g;

/**
 * Rewrites `query` for a driver that numbers placeholders (`$1`, PostgreSQL) or not (`?`, MySQL and SQLite).
 * Throws for a `$n` other than $1 (username) and $2 (access).
 */
export function prepareQuery(query: string, style: 'numbered' | 'question'): PreparedQuery {
  const params: QueryParam[] = [];
  let questionMarks = 0;
  const text = query.replace(PLACEHOLDER, (match, number: string | undefined) => {
    let param: QueryParam;
    if (number !== undefined) {
      if (number !== '1' && number !== '2') {
        throw new Error(`placeholder $${number} in '${query}': only $1 (username) and $2 (access) exist`);
      }
      param = number === '1' ? 'username' : 'access';
    } else if (match === '?') {
      param = questionMarks++ === 0 ? 'username' : 'access';
    } else {
      param = match.includes('%s') ? 'username' : 'access';
    }
    params.push(param);
    return style === 'numbered' ? `$${params.length}` : '?';
  });
  return { text, params, usesAccess: params.includes('access') };
}

/** The parameter values for one run of a prepared query. */
export function bindParams(query: PreparedQuery, username: string, access = 1): (string | number)[] {
  return query.params.map((param) => (param === 'username' ? username : access));
}
