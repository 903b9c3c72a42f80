/**
 * Checks a request against plenigo's OpenAPI 3.1 description, deeper than openapi.ts: the path
 * and method must exist, every query parameter must be declared and have its declared type, and
 * the JSON body must satisfy the request schema — `$ref` and `allOf` resolved, required fields,
 * types (including `["string","null"]`), enums, lengths, ranges, patterns, `date-time` / `date` /
 * `email` formats, array items — and name no property the schema does not declare. Each problem
 * comes back as a violation (for tests) and as a `{field, error, value}` validation error (for
 * the simulator's 400 answer, as plenigo writes them).
 */
type Schema = Record<string, any>
type Spec = { paths: Record<string, any>; components?: Record<string, any> }

export type FieldError = { field: string; error: string; value: string }
export type SpecCheck = { violations: string[]; fieldErrors: FieldError[] }

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function templateRegex(template: string): RegExp {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')
  return new RegExp(`^${pattern}/?$`)
}

export function createPlenigoSpecChecker(spec: Spec, basePath = '') {
  function resolve(schema: any): Schema {
    let current = schema
    for (let depth = 0; current?.$ref && depth < 20; depth++) {
      const path = String(current.$ref).replace(/^#\//, '').split('/')
      current = path.reduce((node: any, key) => node?.[key], spec)
    }
    return current ?? {}
  }

  /** `allOf` merged into one object schema (properties and required of every part). */
  function flatten(input: any): Schema {
    const schema = resolve(input)
    if (!schema.allOf) return schema
    const merged: Schema = {
      ...schema,
      properties: { ...(schema.properties ?? {}) },
      required: [...(schema.required ?? [])],
    }
    delete merged.allOf
    for (const part of schema.allOf) {
      const flat = flatten(part)
      Object.assign(merged.properties, flat.properties ?? {})
      merged.required.push(...(flat.required ?? []))
      if (flat.type && !merged.type) merged.type = flat.type
    }
    return merged
  }

  function typeOf(value: unknown): string {
    if (value === null) return 'null'
    if (Array.isArray(value)) return 'array'
    if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
    return typeof value
  }

  function typeMatches(declared: string, actual: string): boolean {
    return declared === actual || (declared === 'number' && actual === 'integer')
  }

  function check(schemaInput: any, value: unknown, field: string, errors: FieldError[]) {
    const schema = flatten(schemaInput)
    const add = (error: string) =>
      errors.push({
        field: field || '(body)',
        error,
        value: typeof value === 'object' ? JSON.stringify(value) : String(value),
      })
    const declared: string[] = schema.type ? (Array.isArray(schema.type) ? schema.type : [schema.type]) : []
    const actual = typeOf(value)
    if (declared.length && !declared.some((type) => typeMatches(type, actual))) {
      add(`must be ${declared.join(' or ')}, is ${actual}`)
      return
    }
    if (value === null) return
    if (schema.enum && !schema.enum.includes(value)) add(`must be one of ${schema.enum.join(', ')}`)
    if (typeof value === 'string') {
      if (schema.minLength !== undefined && value.length < schema.minLength)
        add(`must have at least ${schema.minLength} characters`)
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        add(`must have at most ${schema.maxLength} characters`)
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) add(`must match ${schema.pattern}`)
      if (schema.format === 'date-time' && !(RFC3339.test(value) && !Number.isNaN(Date.parse(value))))
        add('must be an RFC 3339 date-time')
      if (schema.format === 'date' && !FULL_DATE.test(value)) add('must be an RFC 3339 full-date')
      if (schema.format === 'email' && !EMAIL.test(value)) add('must be an email address')
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) add(`must be at least ${schema.minimum}`)
      if (schema.maximum !== undefined && value > schema.maximum) add(`must be at most ${schema.maximum}`)
      if (schema.format === 'int32' && Math.abs(value) > 2 ** 31) add('must be an int32')
    }
    if (Array.isArray(value) && schema.items)
      value.forEach((item, index) => check(schema.items, item, `${field}[${index}]`, errors))
    if (actual === 'object') {
      const object = value as Record<string, unknown>
      const properties: Record<string, any> = schema.properties ?? {}
      for (const key of schema.required ?? [])
        if (object[key] === undefined)
          errors.push({ field: field ? `${field}.${key}` : key, error: 'is required', value: '' })
      for (const [key, item] of Object.entries(object)) {
        if (item === undefined) continue // absent once serialised
        const path = field ? `${field}.${key}` : key
        if (key in properties) check(properties[key], item, path, errors)
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
          check(schema.additionalProperties, item, path, errors)
        else if (schema.properties && schema.additionalProperties !== true)
          errors.push({ field: path, error: 'is not a property of the schema', value: String(item) })
      }
    }
  }

  /** A query value as the declared type reads it (query values are text on the wire). */
  function queryValue(schema: Schema, text: string): unknown {
    const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type
    if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text
    if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text
    return text
  }

  const routes = Object.entries(spec.paths)
    .map(([template, operations]) => ({
      template,
      operations,
      regex: templateRegex(basePath + template),
      params: (template.match(/\{/g) ?? []).length,
    }))
    .sort((a, b) => a.params - b.params)

  return function validate(method: string, pathname: string, query: URLSearchParams, body: unknown): SpecCheck {
    const where = `${method} ${pathname}`
    const route = routes.find((candidate) => candidate.regex.test(pathname))
    if (!route) return { violations: [`${where}: no such path in the API description`], fieldErrors: [] }
    const operation = route.operations[method.toLowerCase()]
    if (!operation)
      return { violations: [`${where}: ${method} is not an operation of ${route.template}`], fieldErrors: [] }
    const parameters = [...(route.operations.parameters ?? []), ...(operation.parameters ?? [])].map(resolve)
    const queryParameters = parameters.filter((parameter) => parameter.in === 'query')
    const fieldErrors: FieldError[] = []
    const violations: string[] = []
    for (const key of new Set(query.keys())) {
      const parameter = queryParameters.find((candidate) => candidate.name === key)
      if (!parameter) {
        violations.push(`${where}: query parameter ${key} is not declared`)
        continue
      }
      for (const text of query.getAll(key)) {
        const errors: FieldError[] = []
        check(parameter.schema ?? {}, queryValue(resolve(parameter.schema ?? {}), text), key, errors)
        fieldErrors.push(...errors)
      }
    }
    for (const parameter of queryParameters)
      if (parameter.required && !query.has(parameter.name))
        fieldErrors.push({ field: parameter.name, error: 'is required', value: '' })
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema
    if (bodySchema) {
      if (body === undefined || body === null) {
        if (operation.requestBody?.required) fieldErrors.push({ field: '(body)', error: 'is required', value: '' })
      } else check(bodySchema, body, '', fieldErrors)
    } else if (body !== undefined && body !== null) {
      violations.push(`${where}: the operation takes no JSON body`)
    }
    violations.push(
      ...fieldErrors.map((error) => `${where}: ${error.field} ${error.error}${error.value ? ` (${error.value})` : ''}`)
    )
    return { violations, fieldErrors }
  }
}
