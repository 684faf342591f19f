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

/** Signs in at /connexion with `login` ({ email, password }, e.g. the demo's); ends on /gestion. */
export async function signInAs(page, login) {
  assert.ok(login?.email && login?.password, 'a login to sign in with');
  await goto(page, '/connexion');
  await page.getByLabel(/^\s*adresse e-mail\s*$/i).fill(login.email);
  await page.getByLabel(/^\s*mot de passe\s*$/i).fill(login.password);
  await navigate(page, () => page.getByRole('button', { name: /^\s*se connecter\s*$/i }).click());
  assert.equal(pathOf(page), '/gestion');
}

/** From the conventions list to the back-office session of convention `number` (the demo's seed
 *  action is 26/19); returns the session's path. */
export async function openConventionSession(page, number) {
  await goto(page, '/gestion/conventions');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: number }) });
  await navigate(page, () => row.getByRole('link', { name: /^n° \d+$/ }).click());
  return pathOf(page);
}
