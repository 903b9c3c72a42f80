// The two swagger-ui-dist files /docs serves, bundled as text (wrangler.toml `rules`).
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const text: string
  export default text
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const text: string
  export default text
}
