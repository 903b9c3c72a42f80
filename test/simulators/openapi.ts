/**
 * Checks a request against a published API description (OpenAPI 3 or Swagger 2): the path and
 * method must exist, every query parameter must be declared, required ones present, and JSON
 * body keys must be properties of the body schema. Simulators record what fails, so a test can
 * assert that Kontor sent nothing the platform's own description would reject.
 */
type Spec = {
  paths: Record<string, any>
  definitions?: Record<string, any>
  components?: { schemas?: Record<string, any> }
}

function templateRegex(template: string): RegExp {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')
  return new RegExp(`^${pattern}/?$`)
}

function resolve(spec: Spec, schema: any): any {
  let current = schema
  for (let depth = 0; current?.$ref && depth < 10; depth++) {
    const path = String(current.$ref).replace(/^#\//, '').split('/')
    current = path.reduce((node: any, key) => node?.[key], spec)
  }
  return current
}

export function createSpecValidator(spec: Spec, basePath = '') {
  const routes = Object.entries(spec.paths)
    .map(([template, operations]) => ({
      template,
      operations,
      regex: templateRegex(basePath + template),
      params: (template.match(/\{/g) ?? []).length,
    }))
    .sort((a, b) => a.params - b.params)

  return function validate(method: string, pathname: string, query: URLSearchParams, body: unknown): string[] {
    const where = `${method} ${pathname}`
    const route = routes.find((candidate) => candidate.regex.test(pathname))
    if (!route) return [`${where}: no such path in the API description`]
    const operation = route.operations[method.toLowerCase()]
    if (!operation) return [`${where}: ${method} is not an operation of ${route.template}`]
    const parameters = [...(route.operations.parameters ?? []), ...(operation.parameters ?? [])].map((parameter: any) =>
      resolve(spec, parameter)
    )
    const queryParameters = parameters.filter((parameter: any) => parameter.in === 'query')
    const declared = queryParameters.map((parameter: any) => templateRegex(String(parameter.name).replace(/\[\]$/, '')))
    const violations: string[] = []
    for (const key of new Set(query.keys())) {
      const name = key.replace(/\[\d*\]$/, '')
      if (!declared.some((pattern) => pattern.test(name)))
        violations.push(`${where}: query parameter ${key} is not declared`)
    }
    for (const parameter of queryParameters) {
      if (parameter.required && !query.has(parameter.name) && !query.has(`${parameter.name}[]`))
        violations.push(`${where}: required query parameter ${parameter.name} is missing`)
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const bodySchema = resolve(
        spec,
        operation.requestBody?.content?.['application/json']?.schema ??
          parameters.find((parameter: any) => parameter.in === 'body')?.schema
      )
      const properties = bodySchema?.properties
      if (properties && bodySchema.additionalProperties !== true) {
        for (const key of Object.keys(body))
          if (!(key in properties)) violations.push(`${where}: body property ${key} is not in the schema`)
      }
      for (const key of bodySchema?.required ?? [])
        if (!(key in body)) violations.push(`${where}: required body property ${key} is missing`)
    }
    return violations
  }
}
