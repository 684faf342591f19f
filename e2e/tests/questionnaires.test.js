// The questionnaire builder and the certificates' ZIP, in a desktop browser on the demo:
//   1. the staff opens the seed sheet's questionnaires, adds a question to the positioning with
//      the builder's buttons (no script needed), changes its type, is refused while its choices
//      are missing (message next to the field, what was typed kept), then saves it;
//   2. the staff prepares the ZIP of the seed action's certificates: the page shows a progress
//      bar that the script moves, then the download link;
//   3. the staff sets the assessment of what an agent learnt from the certificates page: a too
//      long remark is refused next to its field with the choices kept, then it is saved, and
//      the certificates page names the attestation to replace.
// Every page passes axe, error states included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, checkA11y, norm, DESKTOP } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf, signInAs, openConventionSession } from '../lib/page.js';

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

test('la gestion ajoute une question au positionnement avec le constructeur', async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  await signInAs(page, server.login);
  await goto(page, `/gestion/programmes/${SEED_SLUG}`);
  await navigate(page, () => page.getByRole('link', { name: "Questionnaires d'évaluation" }).click());
  assert.equal(pathOf(page), `/gestion/programmes/${SEED_SLUG}/questionnaires`);
  const list = norm(await (await mainOf(page)).innerText());
  assert.match(list, /évaluation à froid/);
  assert.match(list, /personnalisé, enregistré le/);
  await checkA11y(page, 'questionnaires-liste');

  await navigate(page, () => page.getByRole('link', { name: 'Modifier : Positionnement (avant la formation)' }).click());
  await checkA11y(page, 'questionnaire-constructeur');
  const before = await page.getByRole('group', { name: /^Question \d+$/ }).count();
  await navigate(page, () => page.getByRole('button', { name: 'Ajouter une question à la rubrique 2' }).click());
  assert.match(norm(await page.getByRole('status').innerText()), /sera prise en compte quand vous enregistrerez/);
  const questions = page.getByRole('group', { name: /^Question \d+$/ });
  assert.equal(await questions.count(), before + 1);
  let added = questions.last();
  const number = before + 1;
  await added.getByLabel('Intitulé (obligatoire)').fill('Dans quel service travaillez-vous ?');
  await added.getByLabel('Type de réponse').selectOption({ label: 'Choix unique' });
  await navigate(page, () => added.getByRole('button', { name: `Afficher les réglages du type de la question ${number}` }).click());
  added = page.getByRole('group', { name: `Question ${number}` });
  assert.equal(await added.getByLabel('Intitulé (obligatoire)').inputValue(), 'Dans quel service travaillez-vous ?');

  // Saving without choices is refused next to the field, with the label kept.
  const refused = await navigate(page, () => page.getByRole('button', { name: 'Enregistrer le questionnaire' }).click());
  assert.equal(refused.status(), 422);
  added = page.getByRole('group', { name: `Question ${number}` });
  const choices = added.getByRole('textbox', { name: /^Choix proposés/ });
  assert.equal(await choices.getAttribute('aria-invalid'), 'true');
  assert.match(norm(await added.innerText()), /proposez au moins deux choix/);
  assert.equal(await added.getByLabel('Intitulé (obligatoire)').inputValue(), 'Dans quel service travaillez-vous ?');
  await checkA11y(page, 'questionnaire-constructeur-refuse');

  await choices.fill('Accueil\nAction sociale\nDirection');
  await navigate(page, () => page.getByRole('button', { name: 'Enregistrer le questionnaire' }).click());
  assert.match(norm(await (await mainOf(page)).innerText()), /questionnaire enregistré/);
  assert.match(norm(await (await mainOf(page)).innerText()), /questionnaire personnalisé/);
  await context.close();
});

test("la gestion prépare le ZIP des certificats et suit son avancement", { timeout: 120_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  await signInAs(page, server.login);
  await openConventionSession(page, '26/19');
  await navigate(page, () => page.getByRole('link', { name: 'Certificats', exact: true }).click());
  const button = page.getByRole('button', { name: /^Préparer le ZIP des \d+ documents en vigueur$/ });
  const total = Number(/(\d+)/.exec(await button.innerText())[1]);
  await navigate(page, () => button.click());
  assert.match(pathOf(page), /^\/gestion\/archives\/\d+$/);
  const bar = page.getByRole('progressbar', { name: 'Documents mis en page' });
  assert.equal(await bar.getAttribute('max'), String(total));
  // The script moves the bar and reloads the page once the archive is ready.
  const link = page.getByRole('link', { name: `Télécharger les ${total} documents (ZIP)` });
  await link.waitFor({ timeout: 90_000 });
  assert.equal(await page.getByRole('progressbar', { name: 'Documents mis en page' }).getAttribute('value'), String(total));
  await checkA11y(page, 'certificats-archive-prete');
  const download = await page.request.get(await link.getAttribute('href'));
  assert.equal(download.status(), 200);
  assert.equal(download.headers()['content-type'], 'application/zip');
  assert.ok((await download.body()).subarray(0, 2).equals(Buffer.from('PK')));
  await context.close();
});

test("la gestion saisit l'évaluation des acquis d'une stagiaire", async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  await signInAs(page, server.login);
  await openConventionSession(page, '26/19');
  await navigate(page, () => page.getByRole('link', { name: 'Certificats', exact: true }).click());
  const certificates = pathOf(page);
  assert.match(norm(await (await mainOf(page)).innerText()), /évaluation des acquis : \d+ stagiaires évalués sur \d+/);
  await navigate(page, () => page.getByRole('link', { name: "Saisir ou modifier l'évaluation des acquis" }).click());
  assert.match(pathOf(page), /^\/formateur\/sessions\/\d+\/acquis$/);
  await checkA11y(page, 'acquis');

  // The demo left the last agent unassessed.
  const agent = page.getByRole('group').last();
  const name = (await agent.locator('legend').innerText()).split(' — ')[0];
  const level = agent.getByRole('combobox').first();
  assert.equal(await level.inputValue(), '');
  await level.selectOption({ label: "en cours d'acquisition" });
  await agent.getByLabel(/^Remarque/).fill('x'.repeat(401));
  const refused = await navigate(page, () => page.getByRole('button', { name: "Enregistrer l'évaluation des acquis" }).click());
  assert.equal(refused.status(), 422);
  const again = page.getByRole('group').last();
  assert.equal(await again.getByLabel(/^Remarque/).getAttribute('aria-invalid'), 'true');
  assert.match(norm(await again.innerText()), /pas plus de 400 caractères \(401 saisis\)/);
  assert.equal(await again.getByRole('combobox').first().inputValue(), 'in_progress');
  await checkA11y(page, 'acquis-refuse');

  await again.getByLabel(/^Remarque/).fill('Reprendra le diagnostic avec son cadre.');
  await navigate(page, () => page.getByRole('button', { name: "Enregistrer l'évaluation des acquis" }).click());
  assert.match(norm(await page.getByRole('status').innerText()), /évaluation des acquis enregistrée \(1 stagiaire modifié\)/);
  assert.equal(await page.getByRole('group').last().getByRole('combobox').first().inputValue(), 'in_progress');
  await checkA11y(page, 'acquis-enregistre');

  await goto(page, certificates);
  const notice = norm(await page.getByRole('status').filter({ hasText: /évaluation des acquis/ }).innerText());
  assert.ok(notice.includes(norm(name)), `${name} missing from: ${notice}`);
  await context.close();
});
