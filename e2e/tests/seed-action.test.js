// The seed page's action planned end to end in a browser, on a new installation: the base holds
// only the seed sheet (`forma import`) and a gestionnaire account (`forma user add`), as an
// administrator leaves them. The gestionnaire sets her password from her personal link, enters
// the client (CAF de l'Allier and its three sites), the three venues and their rooms, the
// provider Accolades and its trainer Thierry CHEINE, plans the six days in three modules from
// March to September 2019, issues convention 26/19, has it signed, then an avenant adding a
// seventh day; the session follows the signed avenant, the calendar opens on the action, and
// both PDFs download. Every page passes axe.
//
// Written against labels, roles and field names, never CSS classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { startServer, launchBrowser, newContext, checkA11y, DESKTOP, E2E_DIR } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf } from '../lib/page.js';

const SEED_FILE = resolve(E2E_DIR, '../fixtures/seed/caf03-ctg-acculturation.txt');
const SEED_SLUG = '2019-formation-action-accompagnement-du-pole-service-aux-partenaires-et-accompagnement-social-ctg';
const EMAIL = 'gaelle.gestion@e2e.forma.test';
const PASSWORD = 'Planifier-la-CTG-2019';

let server;
let browser;

before(async () => {
  server = await startServer({
    demo: false,
    setup: [
      ['import', SEED_FILE],
      ['user', 'add', '--email', EMAIL, '--role', 'gestionnaire', '--name', 'Gaëlle Gestion'],
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

/** Selects the option of `select` whose text contains `text`. */
async function choose(select, text) {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value');
  assert.ok(value, `an option « ${text} »`);
  await select.selectOption(value);
}

/** The form holding the button named `name` (a status change: its date, then the button). */
function formOf(page, name) {
  return page.locator('form', { has: page.getByRole('button', { name, exact: true }) });
}

async function setStatus(page, button, date) {
  await formOf(page, button).getByLabel('Le').fill(date);
  const r = await navigate(page, () => page.getByRole('button', { name: button, exact: true }).click());
  assert.equal(r.status(), 200, button);
}

const VENUES = [
  { name: "CAF de l'Allier — Moulins", address: '5 rue Paul Bert', city: 'Moulins', room: 'Salle Allier', places: '40' },
  { name: "CAF de l'Allier — Vichy", address: '12 boulevard des Sources', city: 'Vichy', room: 'Salle des Sources', places: '20' },
  { name: "CAF de l'Allier — Montluçon", address: '3 avenue Jules Ferry', city: 'Montluçon', room: 'Salle du Cher', places: '20' },
];

const ALL = 'Conseillers techniques, managers et travailleurs sociaux';
const DAYS = [
  { date: '2019-03-22', module: '1', title: 'Acculturation CTG', room: 'Salle Allier', min: '30', max: '40', audience: 'CODIR élargi, conseillers techniques, managers, travailleurs sociaux' },
  { date: '2019-04-12', module: '1', title: 'Socle commun de la démarche CTG', room: 'Salle des Sources', min: '15', max: '20', audience: ALL },
  { date: '2019-05-17', module: '2', title: 'Portraits de territoire', room: 'Salle du Cher', min: '15', max: '20', audience: ALL },
  { date: '2019-06-14', module: '2', title: 'Co-animer un projet de territoire', room: 'Salle Allier', min: '5', max: '8', audience: 'Conseillers techniques et encadrement' },
  { date: '2019-09-06', module: '3', title: 'Organisation interne et transversalité', room: 'Salle des Sources', min: '15', max: '20', audience: ALL },
  { date: '2019-09-27', module: '3', title: 'Bilan et feuille de route', room: 'Salle du Cher', min: '15', max: '20', audience: ALL },
];

test("l'action de la fiche d'origine, planifiée de bout en bout", { timeout: 600_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  try {
    // 1. The personal link printed by `forma user add`: choose a password, then sign in.
    const link = /(\/mot-de-passe\/[0-9a-f]+)/.exec(server.prepared[1]);
    assert.ok(link, `a personal link in:\n${server.prepared[1]}`);
    await goto(page, link[1]);
    await checkA11y(page, 'premier-mot-de-passe');
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirmez le mot de passe').fill(PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click());
    if (pathOf(page) !== '/gestion') {
      await goto(page, '/connexion');
      await page.getByLabel(/^\s*adresse e-mail\s*$/i).fill(EMAIL);
      await page.getByLabel(/^\s*mot de passe\s*$/i).fill(PASSWORD);
      await navigate(page, () => page.getByRole('button', { name: /^\s*se connecter\s*$/i }).click());
    }
    assert.equal(pathOf(page), '/gestion');

    // 2. The client and its sites.
    await goto(page, '/gestion/clients');
    await page.getByLabel('Nom (obligatoire)').fill("CAF de l'Allier");
    await page.getByLabel('Représentant (signataire)').fill('M. le Directeur');
    await navigate(page, () => page.getByRole('button', { name: 'Ajouter le client' }).click());
    assert.match(pathOf(page), /^\/gestion\/clients\/\d+$/);
    for (const site of ['Moulins', 'Vichy', 'Montluçon']) {
      await page.getByLabel('Nom du site (obligatoire)').fill(site);
      await navigate(page, () => page.getByRole('button', { name: 'Ajouter le site' }).click());
    }
    await page.getByLabel('Prénom et nom (obligatoire)').fill('Mme Martin');
    await page.getByLabel('Fonction').fill('Responsable formation');
    await navigate(page, () => page.getByRole('button', { name: 'Ajouter le contact' }).click());
    const client = await (await mainOf(page)).innerText();
    for (const text of ['Moulins', 'Vichy', 'Montluçon', 'Mme Martin']) assert.match(client, new RegExp(text));
    await checkA11y(page, 'seed-client');

    // 3. Venues and rooms.
    for (const v of VENUES) {
      await goto(page, '/gestion/lieux');
      await page.getByLabel('Nom du lieu (obligatoire)').fill(v.name);
      await page.getByLabel('Adresse (obligatoire)').fill(v.address);
      await page.getByLabel('Ville (obligatoire)').fill(v.city);
      await choose(page.getByLabel("Site d'un client"), v.city);
      await navigate(page, () => page.getByRole('button', { name: 'Ajouter le lieu' }).click());
      assert.match(pathOf(page), /^\/gestion\/lieux\/\d+$/);
      await page.getByLabel('Nom de la salle (obligatoire)').fill(v.room);
      await page.getByLabel('Nombre de places (obligatoire)').fill(v.places);
      await navigate(page, () => page.getByRole('button', { name: 'Ajouter la salle' }).click());
      assert.match(await (await mainOf(page)).innerText(), new RegExp(v.room));
    }
    await checkA11y(page, 'seed-lieu');

    // 4. The provider, then its trainer.
    await goto(page, '/gestion/formateurs');
    await page.getByLabel('Nom (obligatoire)', { exact: true }).fill('Accolades');
    await navigate(page, () => page.getByRole('button', { name: 'Ajouter le prestataire' }).click());
    await page.getByLabel('Prénom et nom (obligatoire)').fill('Thierry CHEINE');
    await choose(page.getByLabel('Rattachement'), 'Accolades');
    await navigate(page, () => page.getByRole('button', { name: 'Ajouter le formateur' }).click());
    assert.match(await (await mainOf(page)).innerText(), /Thierry CHEINE/);
    await checkA11y(page, 'seed-formateur');

    // 5. The session: six days in three modules (the form starts with three rows).
    await goto(page, '/gestion/sessions/nouvelle');
    await page.getByLabel('Fiche programme (publiée)').selectOption(SEED_SLUG);
    await page.getByLabel('Type de session').selectOption('INTRA');
    await page.getByLabel('Client', { exact: true }).selectOption({ label: "CAF de l'Allier" });
    await page.getByLabel('Nombre de places').fill('40');
    await page.getByLabel(/^Modules/).fill(
      'Comprendre la Convention Territoriale Globale\nConstruire le diagnostic partagé\nPiloter et évaluer le projet');
    for (let i = 3; i < DAYS.length; i += 1) {
      await navigate(page, () => page.getByRole('button', { name: 'Ajouter une ligne' }).click());
    }
    assert.equal(await page.getByLabel(/^Modules/).inputValue(),
      'Comprendre la Convention Territoriale Globale\nConstruire le diagnostic partagé\nPiloter et évaluer le projet',
      'adding rows keeps what was typed');
    for (const [i, d] of DAYS.entries()) {
      const row = page.getByRole('group', { name: `Journée ${i + 1}`, exact: true });
      await row.getByLabel('Date', { exact: true }).fill(d.date);
      await row.getByLabel('Module (n°)').fill(d.module);
      await row.getByLabel('Intitulé de la journée').fill(d.title);
      await choose(row.getByLabel('Salle', { exact: true }), d.room);
      await row.getByLabel(/Thierry CHEINE/).check();
      await row.getByLabel('Public de la journée').fill(d.audience);
      await row.getByLabel('Effectif minimum').fill(d.min);
      await row.getByLabel('Effectif maximum').fill(d.max);
    }
    const created = await navigate(page, () => page.getByRole('button', { name: 'Créer la session' }).click());
    assert.equal(created.status(), 200, await (await mainOf(page)).innerText());
    assert.match(pathOf(page), /^\/gestion\/sessions\/\d+$/);
    const sessionPath = pathOf(page);
    let main = await (await mainOf(page)).innerText();
    assert.match(main, /6 jours, 42 h/);
    assert.match(main, /vendredi 22 mars 2019/);
    assert.match(main, /Module 3 : Piloter et évaluer le projet/);
    assert.match(main, /30 à 40 personnes/);
    assert.match(main, /5 à 8 personnes/);
    await checkA11y(page, 'seed-session');

    // 6. Convention 26/19: drafted, sent, signed.
    await navigate(page, () => page.getByRole('link', { name: /rédiger une convention/i }).click());
    await page.getByLabel('Client signataire').selectOption({ label: "CAF de l'Allier" });
    await page.getByLabel('Numéro (facultatif)').fill('26/19');
    await page.getByLabel("Date d'émission").fill('2019-02-15');
    await page.getByLabel('Prix unitaire HT (€)').fill('1 200,00');
    await page.getByLabel('Quantité').fill('6');
    await page.getByLabel('Effectifs / stagiaires').fill("30 à 40 personnes pour la journée d'acculturation, puis 15 à 20");
    await navigate(page, () => page.getByRole('button', { name: /créer la convention/i }).click());
    assert.match(pathOf(page), /^\/gestion\/conventions\/\d+$/);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Convention n° 26\/19\s+brouillon/);
    await setStatus(page, 'Marquer comme envoyée au client', '2019-02-18');
    await setStatus(page, 'Enregistrer la signature', '2019-02-25');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /26\/19\s+signée/);
    main = await (await mainOf(page)).innerText();
    assert.match(main, /1\s200\s€\s×\s6\s=\s7\s200\s€\sHT/, '6 group days at 1 200 € (the spaces are non-breaking)');
    assert.match(main, /figée à la signature/);
    await checkA11y(page, 'seed-convention-signee');
    const conventionPdf = await page.request.get(
      await page.getByRole('link', { name: /télécharger la convention/i }).getAttribute('href'));
    assert.equal(conventionPdf.status(), 200);
    assert.equal(conventionPdf.headers()['content-type'], 'application/pdf');
    assert.equal((await conventionPdf.body()).subarray(0, 5).toString(), '%PDF-');

    // 7. The avenant adding a seventh day: drafted, sent, signed; the session follows.
    await page.getByLabel('Ajouter une journée').check();
    await page.getByLabel("Date de l'avenant").fill('2019-09-16');
    await page.getByLabel('Motif').fill('Une journée de restitution demandée par le comité de pilotage');
    await page.getByLabel('Date', { exact: true }).fill('2019-10-18');
    await page.getByLabel('Intitulé', { exact: true }).fill('Journée de restitution');
    await page.getByLabel('Module (numéro)').fill('3');
    await choose(page.getByLabel('Lieu', { exact: true }), 'Moulins');
    await choose(page.getByLabel('Salle', { exact: true }), 'Salle Allier');
    await page.getByLabel(/Thierry CHEINE/).check();
    await page.getByLabel('Effectif minimum').fill('15');
    await page.getByLabel('maximum', { exact: true }).fill('20');
    await navigate(page, () => page.getByRole('button', { name: "Créer l'avenant (brouillon)" }).click());
    main = await (await mainOf(page)).innerText();
    assert.match(main, /Avenant n° 1/);
    await setStatus(page, 'Marquer comme envoyé', '2019-09-17');
    await setStatus(page, "Enregistrer la signature de l'avenant", '2019-09-20');
    main = await (await mainOf(page)).innerText();
    assert.match(main, /signé le 20 septembre 2019/);
    await checkA11y(page, 'seed-avenant-signe');
    const avenantPdf = await page.request.get(
      await page.getByRole('link', { name: "PDF de l'avenant n° 1" }).getAttribute('href'));
    assert.equal(avenantPdf.status(), 200);
    assert.equal((await avenantPdf.body()).subarray(0, 5).toString(), '%PDF-');

    await goto(page, sessionPath);
    main = await (await mainOf(page)).innerText();
    assert.match(main, /7 jours, 49 h/, 'the session follows the signed avenant');
    assert.match(main, /vendredi 18 octobre 2019/);

    // 8. Its calendar opens on the action's first month.
    await navigate(page, () => page.getByRole('link', { name: 'Voir la session dans le calendrier' }).click());
    main = await (await mainOf(page)).innerText();
    assert.match(main, /mars 2019/);
    assert.match(main, /1 journée de formation sur cette période/, 'the 22nd of March');
    await checkA11y(page, 'seed-calendrier');
  } finally {
    await context.close();
  }
});
