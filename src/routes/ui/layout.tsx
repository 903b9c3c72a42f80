/**
 * The dashboard's page frame: an inline stylesheet (nothing loads from elsewhere), the
 * navigation, the operator's tenant selector and sign-out. Small shared pieces live here too.
 */
import { createMiddleware } from 'hono/factory'
import type { Child, FC } from 'hono/jsx'
import type { Session } from './session'

const STYLE = `
:root { color-scheme: light; --fg:#1d2433; --muted:#5b6475; --line:#dde1e8; --bg:#f6f7f9; --accent:#2453c7; --bad:#b42318; --ok:#17803d; --warn:#a15c07 }
* { box-sizing: border-box }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg) }
header { display:flex; gap:1.5rem; align-items:center; padding:.6rem 1.25rem; background:#1d2433; color:#fff; flex-wrap:wrap }
header a { color:#dfe6f5; text-decoration:none } header a:hover, header a[aria-current=page] { color:#fff; text-decoration:underline }
header .brand { font-weight:700; color:#fff; letter-spacing:.02em }
header nav { display:flex; gap:1rem; flex:1 }
header form { display:flex; gap:.4rem; align-items:center; margin:0 }
header select, header button { font:inherit }
main { padding:1.25rem; max-width:1200px }
h1 { font-size:1.35rem; margin:.2rem 0 1rem } h2 { font-size:1.05rem; margin:1.5rem 0 .5rem }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line) }
th, td { text-align:left; padding:.4rem .6rem; border-bottom:1px solid var(--line); vertical-align:top }
th { background:#eef1f5; font-weight:600; font-size:.85rem; color:var(--muted) }
a { color:var(--accent) }
.muted { color:var(--muted) } .bad { color:var(--bad) } .ok { color:var(--ok) } .warn { color:var(--warn) }
.filters { display:flex; gap:.6rem; align-items:end; flex-wrap:wrap; margin-bottom:1rem }
.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted) }
input, select, button { font:inherit; padding:.3rem .45rem; border:1px solid #b9c0cc; border-radius:4px; background:#fff }
button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer }
button.secondary { background:#fff; color:var(--fg); border-color:#b9c0cc }
.badge { display:inline-block; padding:0 .45rem; border-radius:9px; font-size:.8rem; background:#e7ebf3 }
.badge.shipped, .badge.done, .badge.created, .badge.handed_over { background:#dcf3e3 }
.badge.failed, .badge.rejected, .badge.address_error, .badge.stock_error, .badge.cancel_refused { background:#fde3e1 }
.badge.skipped, .badge.running, .badge.pending, .badge.cancel_requested { background:#fdf0d5 }
.card { background:#fff; border:1px solid var(--line); padding:.8rem 1rem; margin-bottom:1rem }
.grid { display:grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap:1rem }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.2rem .8rem; margin:0 } dt { color:var(--muted) } dd { margin:0 }
progress { width:9rem; vertical-align:middle }
tr.drift { background:#fff4f2 } ul.channels { margin:0; padding-left:1rem }
tr:target { outline:2px solid var(--accent) } details summary { cursor:pointer }
.badge.confirmed, .badge.sent { background:#dcf3e3 } .badge.failing, .badge.cancel_failed { background:#fde3e1 } .badge.cancel_requested { background:#fdf0d5 }
.notice { padding:.6rem .8rem; background:#e8f0fe; border:1px solid #c4d5fb; margin-bottom:1rem }
.error { padding:.6rem .8rem; background:#fde3e1; border:1px solid #f5b5ae; margin-bottom:1rem }
.signin { max-width:420px; margin:4rem auto; background:#fff; border:1px solid var(--line); padding:1.5rem }
.signin input { width:100% }
pre { white-space:pre-wrap; word-break:break-all; margin:0; font-size:.8rem }
`

let styleHash: Promise<string> | undefined

async function sha256Base64(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
}

/**
 * Headers for every dashboard response: a Content-Security-Policy that allows nothing but the
 * inline stylesheet (by its hash) and forms to this origin, no framing, no caching.
 */
export const pageHeaders = createMiddleware(async (c, next) => {
  await next()
  const hash = await (styleHash ??= sha256Base64(STYLE))
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`
  )
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'same-origin')
  c.header('Cache-Control', 'no-store')
})

export type Page =
  | 'overview'
  | 'connections'
  | 'orders'
  | 'import-log'
  | 'deliveries'
  | 'dead-letters'
  | 'stock'
  | 'hub'
  | 'tokens'
  | 'audit-log'
  | 'tenants'
  | 'none'

/** [page, path, label, for the operator only] */
const NAV: [Page, string, string, boolean?][] = [
  ['overview', '/overview', 'Overview', true],
  ['connections', '/', 'Connections'],
  ['orders', '/orders', 'Orders'],
  ['import-log', '/import-log', 'Import log'],
  ['deliveries', '/deliveries', 'Deliveries'],
  ['dead-letters', '/dead-letters', 'Dead letters'],
  ['stock', '/stock', 'Stock'],
  ['hub', '/hub', 'Hub endpoints'],
  ['tokens', '/tokens', 'Tokens'],
  ['audit-log', '/audit-log', 'Audit log'],
  ['tenants', '/tenants', 'Tenants', true],
]

export const Document: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="same-origin" />
      <title>{`${title} · Kontor`}</title>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
    </head>
    <body>{children}</body>
  </html>
)

export const CsrfField: FC<{ session: Session }> = ({ session }) => (
  <input type="hidden" name="_csrf" value={session.csrf} />
)

export const Layout: FC<{ title: string; page: Page; session: Session; notice?: string; children?: Child }> = ({
  title,
  page,
  session,
  notice,
  children,
}) => (
  <Document title={title}>
    <header>
      <span class="brand">Kontor</span>
      <nav>
        {NAV.filter(([, , , operatorOnly]) => !operatorOnly || session.caller.kind === 'operator').map(
          ([id, href, label]) => (
            <a href={href} aria-current={id === page ? 'page' : undefined}>
              {label}
            </a>
          )
        )}
      </nav>
      {session.caller.kind === 'operator' ? (
        <form method="post" action="/tenant" class="tenant-picker">
          <CsrfField session={session} />
          <label for="tenant-select">Tenant</label>
          <select id="tenant-select" name="tenantId">
            <option value="">— choose —</option>
            {session.tenants.map((tenant) => (
              <option value={tenant.id} selected={tenant.id === session.tenantId}>
                {tenant.name}
              </option>
            ))}
          </select>
          <button type="submit" class="secondary">
            Show
          </button>
        </form>
      ) : (
        <span class="tenant-name" title={`token scopes: ${session.caller.scopes.join(', ')}`}>
          {session.tenants[0]?.name ?? session.tenantId}
        </span>
      )}
      <form method="post" action="/sign-out">
        <CsrfField session={session} />
        <button type="submit" class="secondary">
          Sign out
        </button>
      </form>
    </header>
    <main>
      <h1>{title}</h1>
      {notice ? <p class="notice">{notice}</p> : null}
      {children}
    </main>
  </Document>
)

/** Shown in place of a page's content when the operator has not picked a tenant yet. */
export const ChooseTenant: FC = () => <p class="notice">Choose a tenant at the top right to see its data.</p>

export const Badge: FC<{ value: string | null | undefined }> = ({ value }) =>
  value ? <span class={`badge ${value}`}>{value}</span> : <span class="muted">—</span>

/** A timestamp as "2026-11-22 16:56:14 UTC", with the full ISO value as a tooltip. */
export const Time: FC<{ at: string | null | undefined }> = ({ at }) =>
  at ? <time datetime={at} title={at}>{`${at.slice(0, 19).replace('T', ' ')} UTC`}</time> : <span class="muted">—</span>

/** Query string from the non-empty entries of `params`. */
export function query(params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value)
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** One `<select>` of a filter form, with "any" first; the chosen value stays selected. */
export const FilterSelect: FC<{
  label: string
  name: string
  selected: string | undefined
  options: { value: string; label?: string }[]
}> = ({ label, name, selected, options }) => (
  <label>
    {label}
    <select name={name}>
      <option value="">any</option>
      {options.map((option) => (
        <option value={option.value} selected={option.value === selected}>
          {option.label ?? option.value}
        </option>
      ))}
    </select>
  </label>
)
