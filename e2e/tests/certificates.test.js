// Certificates in a browser, on the demo: the seed's 2019 action has its documents issued, one
// attestation revoked and one certificate replaced.
//   1. the staff opens the session's certificates from the session page: each agent's hours and
//      codes; a revocation without a reason comes back with the message next to the field and
//      the chosen document still selected;
//   2. a visitor on a phone, without an account, opens the verification address a QR code
//      carries: « valide », what the document states, and its PDF downloads; the revoked and the
//      replaced ones say so, the replaced one leading to its successor;
//   3. a code typed by hand (lower case) finds its page; a mistyped one is refused next to the
//      field with what was typed kept.
// Every page passes axe, error states included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, checkA11y, norm, DESKTOP, PHONE } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf, signInAs, openConventionSession } from '../lib/page.js';

let server;
let browser;
/** Codes read from the back-office page: { valid, revoked, replaced }. */
const codes = {};
let sessionPath;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

test('la gestion retrouve les certificats de la session 26/19 et une révocation sans raison est refusée', async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  await signInAs(page, server.login);
  sessionPath = await openConventionSession(page, '26/19');
  await navigate(page, () => page.getByRole('link', { name: 'Certificats', exact: true }).click());
  assert.equal(pathOf(page), `${sessionPath}/certificats`);
  const main = norm(await (await mainOf(page)).innerText());
  assert.match(main, /aucun document n'est prêt à délivrer/);
  assert.match(main, /historique/);
  await checkA11y(page, 'certificats-session');

  const links = await page.locator('a[href^="/gestion/certificats/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.length >= 20, `the demo's documents in force: ${links.length}`);
  codes.valid = /\/gestion\/certificats\/([0-9A-Z]{16})\/pdf/.exec(links[links.length - 1])[1];
  const history = await page.locator('h2:has-text("Historique") + ul a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.parentElement.textContent]));
  codes.revoked = history.find(([, text]) => /révoqué/.test(text))[0].split('/').pop();
  codes.replaced = history.find(([, text]) => /remplacé/.test(text))[0].split('/').pop();

  // Revoking needs a reason; the choice is kept.
  const form = page.locator('form[action$="/certificats/modifier"]');
  const option = await form.getByLabel('Document').locator(`option[value="${codes.valid}"]`).innerText();
  await form.getByLabel('Document').selectOption(codes.valid);
  const refused = await navigate(page, () => form.getByRole('button', { name: 'Révoquer' }).click());
  assert.equal(refused.status(), 422);
  const reason = page.getByRole('textbox', { name: /^Raison/ });
  assert.equal(await reason.getAttribute('aria-invalid'), 'true');
  assert.match(norm(await page.locator('#err-reason').innerText()), /indiquez la raison/);
  assert.equal(norm(await page.getByLabel('Document').locator('option:checked').innerText()), norm(option));
  await checkA11y(page, 'certificats-revocation-refusee');
  await context.close();
});

test('un visiteur sur téléphone vérifie un certificat par son QR code et le télécharge', async () => {
  assert.ok(codes.valid, 'the first test read the codes');
  const context = await newContext(browser, server.url, PHONE);
  const page = await context.newPage();
  const response = await goto(page, `/verifier/${codes.valid}`);
  assert.equal(response.status(), 200);
  const verdict = page.getByRole('region', { name: /valide$/ });
  assert.match(norm(await verdict.innerText()), /délivré par .+ et signé électroniquement/);
  assert.match(norm(await verdict.innerText()), /suivies sur .+ prévues/);
  await checkA11y(page, 'verifier-valide');
  const href = await page.getByRole('link', { name: 'Télécharger le document (PDF)' }).getAttribute('href');
  assert.equal(href, `/verifier/${codes.valid}/document.pdf`);
  const pdf = await context.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /^application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');

  await goto(page, `/verifier/${codes.revoked}`);
  assert.match(norm(await page.getByRole('region').first().innerText()), /révoqué.*délivrée par erreur/s);
  assert.equal(await page.getByRole('link', { name: 'Télécharger le document (PDF)' }).count(), 0);
  await checkA11y(page, 'verifier-revoque');

  await goto(page, `/verifier/${codes.replaced}`);
  assert.match(norm(await page.getByRole('region').first().innerText()), /remplacé/);
  await navigate(page, () => page.getByRole('link', { name: /^[0-9A-Z]{4}-/ }).first().click());
  assert.match(norm(await page.getByRole('region').first().innerText()), /valide/);
  await checkA11y(page, 'verifier-successeur');
  await context.close();
});

test('un code saisi à la main mène à sa page ; un code mal saisi est refusé à côté du champ', async () => {
  const context = await newContext(browser, server.url, PHONE);
  const page = await context.newPage();
  await goto(page, '/verifier');
  await checkA11y(page, 'verifier-formulaire');
  const grouped = codes.valid.toLowerCase().match(/.{4}/g).join('-');
  await page.getByLabel('Code de vérification').fill(grouped);
  await navigate(page, () => page.getByLabel('Code de vérification').press('Enter'));
  assert.equal(pathOf(page), `/verifier/${codes.valid}`);

  await goto(page, '/verifier');
  await page.getByLabel('Code de vérification').fill('ABCD-1234');
  const refused = await navigate(page, () => page.getByRole('button', { name: 'Vérifier' }).click());
  assert.equal(refused.status(), 422);
  const field = page.getByLabel('Code de vérification');
  assert.equal(await field.inputValue(), 'ABCD-1234');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(norm(await page.locator('#err-code').innerText()), /n'a pas la forme d'un code/);
  await checkA11y(page, 'verifier-code-refuse');
  await context.close();
});
