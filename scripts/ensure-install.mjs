// Runs before `npm start`, `npm test` and `npm run bench`: on a fresh clone it installs the
// locked dependencies first, so the README's two commands work without a separate install step.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

if (!existsSync('node_modules/.bin/vitest') || !existsSync('node_modules/.bin/wrangler')) {
  console.log('Installing dependencies …')
  // `npm ci`: exactly the locked versions, and the lock file is never rewritten.
  // The system's npm checks engines against the system Node (20), so every package that wants
  // Node 22 warned (EBADENGINE): expected, since the node@22 dev dependency runs the scripts.
  // Errors still show.
  execSync('npm ci --no-audit --no-fund --loglevel=error', { stdio: 'inherit' })
}
