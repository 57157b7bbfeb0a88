import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const ARTIFACTS = fileURLToPath(new URL('../.artifacts/', import.meta.url))
export const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url))

interface Teardown { teardown: (fn: () => unknown) => void }

/** Debian's chromium, headless, closed at teardown. */
export async function launch (t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']
  })
  t.teardown(async () => await browser.close())
  return browser
}

/**
 * Saves a screenshot under test/.artifacts/; with INFINSTOR_DOCS_SCREENSHOTS=1
 * also under docs/ (the README's pictures are refreshed that way).
 */
export async function shot (page: Page, name: string, docs = false): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
  if (docs && process.env.INFINSTOR_DOCS_SCREENSHOTS === '1') {
    await mkdir(DOCS, { recursive: true })
    await page.screenshot({ path: `${DOCS}dashboard-${name}.png`, fullPage: true })
  }
}
