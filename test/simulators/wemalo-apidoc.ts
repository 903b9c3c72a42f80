/**
 * Checks a request against wemalo-connect's apidoc data (test/simulators/specs/
 * wemalo-connect-apidoc-api.json): the route and method must exist (`:name` segments), query
 * parameters of a GET or DELETE must be documented (required ones present, Number and Boolean
 * ones readable as such), and a POST or PUT body must have every required field, no field the
 * apidoc does not name, and each field of its documented TYPE — `String`, `Number`/`Double`,
 * `Integer` (or a Number its description says is an integer: cents), `Boolean`, `Object`, `Object[]` — down through nested objects and arrays
 * (`meta.receiver.zip`). No JSON-schema validator is installed, and the apidoc is not JSON
 * schema anyway; this reads its field lists directly.
 *
 * Two quirks of the apidoc are read as they are meant: where the route's path parameter is named
 * differently from the parameter the apidoc lists (`/goodsOrder/getStatus/:id` lists
 * `externalId`), a required id parameter not named in the path is that path parameter; and the
 * keys of a request example that parses as JSON count as documented (`registerWebHook` lists
 * `email`, its example sends `mail`).
 */
type Field = { field: string; type?: string; optional: boolean; description?: string }
type Entry = {
  type: string
  url: string
  name: string
  version: string
  parameter?: { fields?: Record<string, Field[]>; examples?: { content: string }[] }
}
type Operation = {
  method: string
  url: string
  name: string
  regex: RegExp
  pathParameters: string[]
  fields: Field[]
  exampleKeys: Set<string>
}

const compareVersions = (a: string, b: string) => {
  const left = a.split('.').map(Number)
  const right = b.split('.').map(Number)
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference) return difference
  }
  return 0
}

function operationOf(entry: Entry, basePath: string): Operation {
  const pathParameters = [...entry.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1])
  const all = Object.values(entry.parameter?.fields ?? {}).flat()
  const named = new Set(pathParameters)
  // Path parameters the field list names differently: taken by required id fields not in the path.
  let unnamed = pathParameters.filter((parameter) => !all.some((field) => field.field === parameter)).length
  const fields = all.filter((field) => {
    if (named.has(field.field)) return false
    if (unnamed > 0 && !field.optional && !field.field.includes('.') && /id$/i.test(field.field)) {
      unnamed--
      return false
    }
    return true
  })
  const exampleKeys = new Set<string>()
  for (const example of entry.parameter?.examples ?? []) {
    try {
      const value = JSON.parse(example.content.replace(/^[^{[]*/, ''))
      if (value && typeof value === 'object' && !Array.isArray(value))
        for (const key of Object.keys(value)) exampleKeys.add(key)
    } catch {
      // examples are often fragments
    }
  }
  const pattern = (basePath + entry.url)
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')))
    .join('/')
  return {
    method: entry.type.toUpperCase(),
    url: entry.url,
    name: entry.name,
    regex: new RegExp(`^${pattern}/?$`),
    pathParameters,
    fields,
    exampleKeys,
  }
}

function typeProblem(type: string | undefined, value: unknown): string | null {
  if (value === null) return 'null'
  switch ((type ?? '').toLowerCase()) {
    case 'string':
      return typeof value === 'string' ? null : typeof value
    case 'number':
    case 'double':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? null : typeof value
    case 'integer':
    case 'int':
      return typeof value === 'number' && Number.isInteger(value)
        ? null
        : typeof value === 'number'
          ? 'a fraction'
          : typeof value
    case 'boolean':
      return typeof value === 'boolean' ? null : typeof value
    case 'object':
      return typeof value === 'object' && !Array.isArray(value)
        ? null
        : Array.isArray(value)
          ? 'an array'
          : typeof value
    case 'object[]':
      return Array.isArray(value) && value.every((item) => item && typeof item === 'object' && !Array.isArray(item))
        ? null
        : 'not an array of objects'
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? null : 'not an array of strings'
    case 'number[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'number') ? null : 'not an array of numbers'
    default:
      return null
  }
}

/** Checks one object against the fields whose names start with `prefix`. */
function checkObject(
  where: string,
  value: Record<string, unknown>,
  fields: Field[],
  prefix: string,
  extraKeys: Set<string>,
  violations: string[]
) {
  const level = fields.filter(
    (field) => field.field.startsWith(prefix) && !field.field.slice(prefix.length).includes('.')
  )
  const known = new Set(level.map((field) => field.field.slice(prefix.length)))
  for (const key of Object.keys(value)) {
    if (!known.has(key) && !extraKeys.has(key))
      violations.push(`${where}: body field ${prefix}${key} is not in the apidoc`)
  }
  for (const field of level) {
    const key = field.field.slice(prefix.length)
    const present = Object.hasOwn(value, key) && value[key] !== undefined
    if (!present) {
      if (!field.optional) violations.push(`${where}: required body field ${field.field} is missing`)
      continue
    }
    // "Total price in cent (as Integer)": a Number the description pins down to an integer.
    const integer = /as integer|\bin cents?\b|\bas cents?\b/i.test(field.description ?? '') ? 'Integer' : null
    const problem = typeProblem(integer ?? field.type, value[key])
    if (problem) {
      violations.push(
        `${where}: body field ${field.field} must be ${integer ? `${field.type} (an integer)` : field.type}, got ${problem}`
      )
      continue
    }
    const children = fields.some((candidate) => candidate.field.startsWith(`${field.field}.`))
    if (!children) continue
    const items = Array.isArray(value[key]) ? (value[key] as unknown[]) : [value[key]]
    items.forEach((item, index) =>
      checkObject(
        Array.isArray(value[key]) ? `${where} [${field.field}[${index}]]` : where,
        item as Record<string, unknown>,
        fields,
        `${field.field}.`,
        new Set(),
        violations
      )
    )
  }
}

/**
 * The product routes that say "see add/update products" instead of listing fields: each
 * `addMultiple` product, and the body of `PUT /product/update/:externalId` (whose entry lists
 * only the path parameter), are checked against `POST /product/add`'s fields. An update's
 * fields are all optional: what is not sent is not changed.
 */
function borrowProductFields(operations: Operation[]) {
  const add = operations.find((operation) => operation.name === 'addProduct')
  if (!add) return
  for (const operation of operations) {
    if (operation.name === 'addMultiple')
      operation.fields.push(...add.fields.map((field) => ({ ...field, field: `products.${field.field}` })))
    if (operation.name === 'updateProduct')
      operation.fields.push(...add.fields.map((field) => ({ ...field, optional: true })))
  }
}

export function createApidocValidator(apidoc: { api: Entry[] }, basePath = '') {
  const newest = new Map<string, Entry>()
  for (const entry of apidoc.api) {
    if (!entry.url || !entry.type) continue
    const key = `${entry.type.toUpperCase()} ${entry.url}`
    const known = newest.get(key)
    if (!known || compareVersions(entry.version, known.version) > 0) newest.set(key, entry)
  }
  // Literal routes before templated ones (`/goodsOrder/packages/sent/` before `…/:parcelId/…`).
  const operations = [...newest.values()]
    .map((entry) => operationOf(entry, basePath))
    .sort((a, b) => a.pathParameters.length - b.pathParameters.length)
  borrowProductFields(operations)

  return function validate(
    method: string,
    pathname: string,
    query: URLSearchParams,
    body: unknown,
    contentType = ''
  ): string[] {
    const where = `${method} ${pathname}`
    const candidates = operations.filter((operation) => operation.regex.test(pathname))
    if (!candidates.length) return [`${where}: no such route in the apidoc`]
    const operation = candidates.find((candidate) => candidate.method === method.toUpperCase())
    if (!operation) return [`${where}: ${method} is not documented for ${candidates.map((c) => c.url).join(', ')}`]
    const violations: string[] = []
    const at = `${where} (${operation.name})`
    if (['GET', 'DELETE'].includes(operation.method)) {
      const fields = new Map(operation.fields.map((field) => [field.field, field]))
      for (const key of new Set(query.keys())) {
        const field = fields.get(key)
        if (!field) {
          violations.push(`${at}: query parameter ${key} is not in the apidoc`)
          continue
        }
        const value = query.get(key) ?? ''
        const type = (field.type ?? '').toLowerCase()
        if (['number', 'integer', 'double'].includes(type) && !/^-?\d+(\.\d+)?$/.test(value))
          violations.push(`${at}: query parameter ${key} must be ${field.type}, got "${value}"`)
        if (type === 'boolean' && !['true', 'false'].includes(value))
          violations.push(`${at}: query parameter ${key} must be Boolean, got "${value}"`)
      }
      for (const field of operation.fields)
        if (!field.optional && !query.has(field.field))
          violations.push(`${at}: required query parameter ${field.field} is missing`)
      if (body !== null && body !== undefined && body !== '') violations.push(`${at}: a ${method} carries no body`)
      return violations
    }
    if (query.size)
      for (const key of query.keys()) violations.push(`${at}: query parameter ${key} is not in the apidoc`)
    if (body === null || body === undefined) {
      if (operation.fields.some((field) => !field.optional))
        violations.push(
          `${at}: the body is missing (required: ${operation.fields
            .filter((f) => !f.optional)
            .map((f) => f.field)
            .join(', ')})`
        )
      return violations
    }
    if (!contentType.includes('application/json')) violations.push(`${at}: the body is not sent as application/json`)
    if (typeof body !== 'object' || Array.isArray(body)) return [...violations, `${at}: the body must be a JSON object`]
    checkObject(at, body as Record<string, unknown>, operation.fields, '', operation.exampleKeys, violations)
    return violations
  }
}
