// Saving exports: a PNG from a chart's canvas, CSV/JSON/Markdown from text. An <a download>
// click saves without navigating (allowed by the page's CSP; no new window).

/** downloadUrl saves a URL (data: or blob:) under a file name. */
export function downloadUrl(url: string, fileName: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

/** downloadText saves text under a file name. */
export function downloadText(text: string, fileName: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }))
  downloadUrl(url, fileName)
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** stamp is a file-name-safe timestamp, e.g. 2025-01-31T12-04-05. */
export function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/:/g, '-')
}
