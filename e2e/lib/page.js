// Page helpers shared by the browser tests: navigation that waits for the page it starts,
// and where the page's main content is.
import assert from 'node:assert/strict';

/** Runs `action` (a click, a key press) and waits for the navigation it starts; returns the response. */
export async function navigate(page, action) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    action(),
  ]);
  return response;
}

export async function goto(page, path) {
  const response = await page.goto(path, { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  return response;
}

export function pathOf(page) {
  return new URL(page.url()).pathname.replace(/(.)\/$/, '$1');
}

/** The page's main landmark, or its body when it has none. */
export async function mainOf(page) {
  const main = page.getByRole('main');
  return (await main.count()) > 0 ? main.first() : page.locator('body');
}
