// Planning in a desktop browser: a manager creates a session, meets a blocking
// conflict (the trainer and the room are already booked that day), resolves it
// by moving the day, then drafts the session's convention, sends it and opens
// its PDF. Every planning page passes axe, error states included.
//
// Written against labels, roles and field names, never CSS classes. The demo
// (forma serve --demo) holds the seed's action: CAF de l'Allier, Thierry CHEINE
// in « Salle Allier » at Moulins on Friday 22 March 2019.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, checkA11y, DESKTOP } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf, signInAs } from '../lib/page.js';

const SEED_SLUG = '2019-formation-action-accompagnement-du-pole-service-aux-partenaires-et-accompagnement-social-ctg';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function signIn(page) {
  assert.ok(server.login, `the demo login should be printed; stdout was:\n${server.stdout()}`);
  await signInAs(page, server.login);
}

/** Fills the first day row of the new-session form. */
async function fillFirstDay(page, date) {
  const day = page.locator('fieldset.day-row').first();
  await day.getByLabel('Date', { exact: true }).fill(date);
  await day.getByLabel('Intitulé de la journée').fill('Acculturation CTG (e2e)');
  const room = day.getByLabel('Salle', { exact: true });
  await room.selectOption(await room.locator('option', { hasText: 'Salle Allier' }).first().getAttribute('value'));
  await day.getByLabel(/Thierry CHEINE/).check();
}

test('créer une session, résoudre un conflit, émettre la convention', { timeout: 300_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  try {
    await signIn(page);
    await goto(page, '/gestion/sessions');
    await checkA11y(page, 'gestion-sessions');
    await navigate(page, () => page.getByRole('link', { name: /nouvelle session/i }).first().click());
    assert.equal(pathOf(page), '/gestion/sessions/nouvelle');
    await checkA11y(page, 'gestion-session-nouvelle');

    await page.getByLabel('Fiche programme (publiée)').selectOption(SEED_SLUG);
    await page.getByLabel('Type de session').selectOption('INTRA');
    await page.getByLabel('Client', { exact: true }).selectOption({ label: "CAF de l'Allier" });
    await fillFirstDay(page, '2019-03-22');
    const refused = await navigate(page, () => page.getByRole('button', { name: 'Créer la session' }).click());
    assert.equal(refused.status(), 422, 'the trainer and the room are taken on 22 March 2019');
    const alert = page.getByRole('alert').first();
    assert.match(await alert.innerText(), /déjà en formation|déjà occupée/);
    assert.equal(await page.locator('fieldset.day-row').first().getByLabel('Date', { exact: true }).inputValue(), '2019-03-22', 'the typed date is kept');
    await checkA11y(page, 'gestion-session-conflit');

    // Resolve: the Friday after is free.
    await page.locator('fieldset.day-row').first().getByLabel('Date', { exact: true }).fill('2019-03-29');
    const created = await navigate(page, () => page.getByRole('button', { name: 'Créer la session' }).click());
    assert.equal(created.status(), 200);
    assert.match(pathOf(page), /^\/gestion\/sessions\/\d+$/);
    const main = await mainOf(page);
    assert.match(await main.innerText(), /1 jour, 7 h/);
    await checkA11y(page, 'gestion-session');

    // The convention: drafted from the session, sent, printed.
    await navigate(page, () => page.getByRole('link', { name: /rédiger une convention/i }).click());
    assert.equal(pathOf(page), '/gestion/conventions/nouvelle');
    await checkA11y(page, 'gestion-convention-nouvelle');
    await page.getByLabel('Prix unitaire HT (€)').fill('1 200,00');
    await navigate(page, () => page.getByRole('button', { name: /créer la convention/i }).click());
    assert.match(pathOf(page), /^\/gestion\/conventions\/\d+$/);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Convention n° \d+\/\d\d\s+brouillon/);
    await checkA11y(page, 'gestion-convention');
    await navigate(page, () => page.getByRole('button', { name: 'Marquer comme envoyée au client' }).click());
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /envoyée/);
    const pdfHref = await page.getByRole('link', { name: /télécharger la convention/i }).getAttribute('href');
    const pdf = await page.request.get(pdfHref);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 4).toString(), '%PDF');

    await goto(page, '/gestion/conventions');
    await checkA11y(page, 'gestion-conventions');
    // The seed's convention, signed, with its avenant.
    await navigate(page, () => page.getByRole('link', { name: '26/19' }).click());
    assert.match(await (await mainOf(page)).innerText(), /Avenant n° 1/);
    await checkA11y(page, 'gestion-convention-26-19');
  } finally {
    await context.close();
  }
});
