/**
 * Lints /api/v1/openapi.json with Redocly CLI's recommended rules: zero errors. Runs in Node
 * (the CLI cannot run in workerd); the document comes from the app's own generator, so the
 * Swagger UI files (text modules only wrangler bundles) and `cloudflare:workers` are stubbed out.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it, vi } from 'vitest'

vi.mock('swagger-ui-dist/swagger-ui-bundle.js', () => ({ default: '' }))
vi.mock('swagger-ui-dist/swagger-ui.css', () => ({ default: '' }))
// The runtime module only workerd has (the pacing Durable Object imports it); the document needs none of it.
vi.mock('cloudflare:workers', () => ({ env: {}, DurableObject: class {} }))

const root = path.resolve(import.meta.dirname, '../..')
const directory = mkdtempSync(path.join(tmpdir(), 'kontor-openapi-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

/** Warnings accepted on purpose: the two public GETs that cannot answer any 4xx. */
const ACCEPTED_WARNINGS = [
  'operation-4xx-response #/paths/~1healthz/get/responses',
  'operation-4xx-response #/paths/~1api~1v1~1openapi.json/get/responses',
]

type LintReport = {
  totals: { errors: number; warnings: number }
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>
}

describe('openapi.json', () => {
  it('passes redocly lint (recommended) with zero errors', async () => {
    const { app } = await import('../../src/app')
    const { openApiConfig } = await import('../../src/routes/openapi')
    const file = path.join(directory, 'openapi.json')
    writeFileSync(file, JSON.stringify(app.getOpenAPI31Document(openApiConfig('http://127.0.0.1:8787')), null, 2))

    const cli = path.join(root, 'node_modules/@redocly/cli/bin/cli.js')
    const result = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--format=json'], {
      cwd: directory,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }))
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as LintReport
    const problems = report.problems.map(
      (problem) => `${problem.severity} ${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`
    )
    expect(
      problems.filter((problem) => problem.startsWith('error')),
      'errors'
    ).toEqual([])
    expect(report.totals.errors).toBe(0)
    const unexpected = report.problems
      .map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}`)
      .filter((problem) => !ACCEPTED_WARNINGS.includes(problem))
    expect(unexpected, 'warnings').toEqual([])
  }, 120_000)
})
