/**
 * Every route of the OpenAPI document (`GET /api/v1/openapi.json`), 1,000 fuzzed requests each:
 * path parameters (traversal, encodings, huge, unicode, other kinds of ids), the declared query
 * parameters and random extra ones, JSON bodies shaped after the route's schema with values of
 * every type, broken JSON and other content types, and the caller varied (the tenant's token,
 * the operator's with a tenant header, none, garbage). No request may answer 5xx. Webhook routes
 * are covered per platform in webhook-fuzz.test.ts; here their path is fuzzed once more.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { api, apiJson, createTenant } from '../helpers'
import { ADMIN_TOKEN, captureLogs, deadLetterCount, expectNothingSecretLogged, report, secret } from './support'

captureLogs()

/** Per route. */
const CASES = 1000
const BATCH = 40

type Operation = {
  method: string
  path: string
  operationId: string
  parameters: { name: string; in: string; schema?: any }[]
  bodySchema: any | null
}

type Document = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } }

function resolve(document: Document, schema: any): any {
  if (schema?.$ref) return resolve(document, document.components.schemas[schema.$ref.split('/').pop()])
  return schema
}

function operations(document: Document): Operation[] {
  const found: Operation[] = []
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const parameters = (operation.parameters ?? []).map((parameter: any) =>
        parameter.$ref ? { name: 'x-tenant-id', in: 'header' } : parameter
      )
      const body = operation.requestBody?.content?.['application/json']?.schema
      found.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        parameters,
        bodySchema: body ? resolve(document, body) : null,
      })
    }
  }
  return found
}

const weird = fc.constantFrom(
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  "' or 1=1 --",
  '"; drop table orders; --',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9'.repeat(400),
  'x'.repeat(5000),
  '\u0000',
  '🦀',
  'ord_00000000000000000000',
  'con_00000000000000000000',
  'whe_00000000000000000000',
  'dl_00000000000000000000',
  'ten_00000000000000000000',
  '2026-13-45T25:61:61Z',
  'true'
)
const text = fc.oneof(weird, fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }))
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
)
const anyValue = fc.oneof(
  { depthSize: 'small' },
  scalar,
  fc.array(scalar, { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 3 })
)

/** A value for a schema: right-looking or any type, at random. */
function valueFor(document: Document, schema: any, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(document, schema) ?? {}
  const options: fc.Arbitrary<unknown>[] = [anyValue]
  if (resolved.enum) options.push(fc.constantFrom(...resolved.enum))
  if (resolved.type === 'string') {
    options.push(text)
    if (resolved.format === 'date-time') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()))
    if (resolved.maxLength) options.push(fc.constant('y'.repeat(resolved.maxLength + 1)))
  }
  if (resolved.type === 'integer' || resolved.type === 'number')
    options.push(fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1e6 + 1, 2 ** 53 + 1)))
  if (resolved.type === 'array' && depth < 3)
    options.push(fc.array(valueFor(document, resolved.items, depth + 1), { maxLength: 6 }))
  if ((resolved.type === 'object' || resolved.properties) && depth < 3)
    options.push(objectFor(document, resolved, depth + 1))
  return fc.oneof(...options)
}

function objectFor(document: Document, schema: any, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(resolve(document, schema)?.properties ?? {})
  const known = fc.record(
    Object.fromEntries(properties.map(([name, property]) => [name, valueFor(document, property, depth)])),
    { requiredKeys: [] }
  )
  return fc
    .tuple(known, fc.dictionary(fc.string({ maxLength: 12 }), scalar, { maxKeys: 3 }))
    .map(([chosen, extra]) => ({ ...extra, ...chosen }))
}

function bodyFor(document: Document, operation: Operation) {
  const shaped = operation.bodySchema ? objectFor(document, operation.bodySchema) : anyValue
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((value) => ({ raw: JSON.stringify(value), type: 'application/json' })) },
    { weight: 1, arbitrary: anyValue.map((value) => ({ raw: JSON.stringify(value) ?? '', type: 'application/json' })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(shaped, fc.nat())
        .map(([value, cut]) => ({ raw: JSON.stringify(value).slice(0, cut % 40), type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        raw: fc.string({ unit: 'binary', maxLength: 100 }),
        type: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          '',
          'application/json; charset=utf-16'
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ raw: `{"a":${'['.repeat(5000)}`, type: 'application/json' }) }
  )
}

const encode = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))

describe('every API route under fuzzing (1,000 per route)', () => {
  it('no route answers 5xx to fuzzed path parameters, queries, bodies, headers and callers', async ({ task }) => {
    const tenant = await createTenant('EUR')
    secret(tenant.token)
    const document = await apiJson<Document>('/api/v1/openapi.json')
    const routes = operations(document)
    expect(routes.length).toBeGreaterThan(20)
    const deadBefore = await deadLetterCount(tenant.id)
    const failures: string[] = []
    let total = 0
    const perRoute: string[] = []
    for (const [index, operation] of routes.entries()) {
      const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
      const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query')
      const caller = fc.constantFrom(
        'tenant',
        'tenant',
        'tenant',
        'tenant',
        'operator',
        'operator-unknown-tenant',
        'none',
        'garbage'
      )
      const arbitrary = fc.record({
        path: fc.record(Object.fromEntries(pathNames.map((name) => [name, text]))),
        query: fc.record(
          Object.fromEntries(
            queryParameters.map((parameter) => [parameter.name, valueFor(document, parameter.schema)])
          ),
          { requiredKeys: [] }
        ),
        extraQuery: fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 2 }),
        body: bodyFor(document, operation),
        caller,
        idempotencyKey: fc.option(text),
      })
      const samples = fc.sample(arbitrary, { numRuns: CASES, seed: 5000 + index })
      const statuses = new Map<number, number>()
      const routeStarted = Date.now()
      for (let start = 0; start < samples.length; start += BATCH) {
        await Promise.all(
          samples.slice(start, start + BATCH).map(async (sample) => {
            let path = operation.path
            for (const name of pathNames) path = path.replace(`{${name}}`, encode(sample.path[name]) || '%20')
            const query = new URLSearchParams()
            for (const [name, value] of Object.entries({ ...sample.extraQuery, ...sample.query }))
              query.append(name, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))
            const headers: Record<string, string> = {}
            if (sample.caller === 'tenant') headers.authorization = `Bearer ${tenant.token}`
            if (sample.caller === 'garbage') headers.authorization = `Bearer kt_${crypto.randomUUID()}`
            // The operator always names a tenant here: the fuzz must not replay other tests' dead letters.
            if (sample.caller.startsWith('operator')) {
              headers.authorization = `Bearer ${ADMIN_TOKEN}`
              headers['x-tenant-id'] = sample.caller === 'operator' ? tenant.id : `ten_${crypto.randomUUID()}`
            }
            if (sample.idempotencyKey !== null)
              headers['idempotency-key'] = sample.idempotencyKey.replace(/[^\x20-\x7e]/g, '?')
            const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE'
            if (hasBody && sample.body.type) headers['content-type'] = sample.body.type
            const response = await api(`${path}${query.size ? `?${query}` : ''}`, {
              method: operation.method,
              headers,
              rawBody: hasBody ? sample.body.raw : undefined,
            })
            const answer = await response.text()
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
            if (response.status >= 500)
              failures.push(
                `${operation.method} ${path}?${query} ${sample.body.raw.slice(0, 200)} → ${response.status} ${answer.slice(0, 200)}`
              )
          })
        )
      }
      total += samples.length
      perRoute.push(
        `${operation.method} ${operation.path} (${Date.now() - routeStarted} ms): ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${n}×${s}`)
          .join(' ')}`
      )
    }
    expect(failures.slice(0, 5)).toEqual([])
    expect(await deadLetterCount(tenant.id)).toBe(deadBefore)
    report(task, {
      area: 'bad inputs',
      what: `every route of the OpenAPI document (${routes.length} operations): fuzzed path parameters, queries, JSON bodies, content types and callers, ${CASES} per route`,
      count: total,
      unit: 'requests',
      held: 'no 5xx; no dead letter',
    })
    task.meta.details = perRoute
  }, 600_000)

  it('no secret, e-mail or phone in anything logged while fuzzing', async ({ task }) => {
    // Fuzzed API requests are answered 4xx before any work and log nothing; the capture itself is
    // proven by the runs that must log (logs.test.ts, faults, load).
    await expectNothingSecretLogged(task, 'API fuzzing', { mayBeSilent: true })
  })
})
